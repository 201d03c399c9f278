import { z } from 'zod';
import { principalName } from '../../admin-input.util';

export const createTokenSchema = z.object({ user: principalName, label: z.string().trim().min(1).max(200).optional() }).strict();
export type CreateTokenInput = z.infer<typeof createTokenSchema>;

export const listTokensSchema = z.object({ user: principalName.optional() }).strict();
