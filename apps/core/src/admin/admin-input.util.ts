import { DomainError } from '@ferry/contracts';
import { z } from 'zod';
import { isBase64Key } from '../gateway/key-format.util';

/**
 * Admin request bodies and queries are checked with zod, strictly: an unknown field is an error
 * (a typo such as {"admn": true} must not silently change nothing), and nothing is written before
 * the whole input passed. Failures are 400 VALIDATION_FAILED naming each field.
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`);
  throw new DomainError('VALIDATION_FAILED', problems.join('; '), { problems });
}

/** Names of users and projects: printable, no spaces or slashes (they appear in URLs and tables). */
export const principalName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ @ + -');
/** Ids of drives and providers (as in the seed file). */
export const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case id (a-z, 0-9, . _ -; at most 64)');
export const displayName = z.string().trim().min(1).max(200);
export const permission = z.enum(['READ', 'WRITE', 'ADMIN']);
export const publicKey = z.string().refine((k) => isBase64Key(k, 32), 'must be a 32-byte base64 public key');
export const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));
export const uuid = z.string().uuid('must be a UUID');
