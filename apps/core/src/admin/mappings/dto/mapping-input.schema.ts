import { z } from 'zod';
import { principalName, slug } from '../../admin-input.util';

export const setMappingSchema = z.object({ user: principalName, provider: slug, identity: z.string().min(1).max(200) }).strict();
export type SetMappingInput = z.infer<typeof setMappingSchema>;

export const listMappingsSchema = z.object({ user: principalName.optional(), provider: slug.optional() }).strict();
