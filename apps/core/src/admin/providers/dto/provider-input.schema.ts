import { z } from 'zod';
import { displayName, httpUrl, publicKey, slug } from '../../admin-input.util';

export const registerProviderSchema = z
  .object({ id: slug, name: displayName, url: httpUrl, signPublicKey: publicKey.optional(), boxPublicKey: publicKey.optional() })
  .strict()
  .refine((p) => !!p.signPublicKey === !!p.boxPublicKey, 'pin both signPublicKey and boxPublicKey, or neither');
export type RegisterProviderInput = z.infer<typeof registerProviderSchema>;

export const updateProviderSchema = z
  .object({ name: displayName.optional(), url: httpUrl.optional() })
  .strict()
  .refine((p) => p.name !== undefined || p.url !== undefined, 'give name and/or url');
export type UpdateProviderInput = z.infer<typeof updateProviderSchema>;

export const pinKeysSchema = z.object({ signPublicKey: publicKey, boxPublicKey: publicKey }).strict();
export type PinKeysInput = z.infer<typeof pinKeysSchema>;

export const refreshSchema = z.object({ pin: z.boolean().default(false) }).strict();
