import { z } from 'zod';
import { principalName } from '../../admin-input.util';

export const createUserSchema = z.object({ name: principalName, admin: z.boolean().default(false) }).strict();
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({ admin: z.boolean().optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((u) => u.admin !== undefined || u.disabled !== undefined, 'give admin and/or disabled');
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
