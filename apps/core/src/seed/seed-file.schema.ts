import { z } from 'zod';
import { isBase64Key } from '../gateway/key-format.util';

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case id (a-z, 0-9, . _ -)');
const name = z.string().min(1).max(200);
const key = z.string().refine((k) => isBase64Key(k, 32), 'must be a 32-byte base64 public key');
const permission = z.enum(['READ', 'WRITE', 'ADMIN']);

/** FERRY_SEED_FILE (format in COMMON.md): users, projects, providers, drives with ACLs, identity mappings. */
export const seedFileSchema = z
  .object({
    users: z
      .array(z.object({ name, admin: z.boolean().default(false), tokens: z.array(z.string().min(8, 'tokens must be at least 8 characters')).default([]) }).strict())
      .default([]),
    projects: z.array(z.object({ name, members: z.array(name).default([]) }).strict()).default([]),
    providers: z
      .array(
        z
          .object({ id: slug, name, url: z.string().url(), signPublicKey: key.optional(), boxPublicKey: key.optional() })
          .strict()
          .refine((p) => !!p.signPublicKey === !!p.boxPublicKey, 'pin both signPublicKey and boxPublicKey, or neither'),
      )
      .default([]),
    drives: z
      .array(
        z
          .object({
            id: slug,
            name,
            provider: slug,
            gatewayDrive: z.string().min(1).max(200),
            acl: z
              .array(
                z
                  .object({ user: name.optional(), project: name.optional(), permissions: z.array(permission).min(1) })
                  .strict()
                  .refine((a) => !!a.user !== !!a.project, 'an ACL entry names either a user or a project'),
              )
              .default([]),
          })
          .strict(),
      )
      .default([]),
    identityMappings: z.array(z.object({ user: name, provider: slug, identity: z.string().min(1).max(200) }).strict()).default([]),
  })
  .strict();

export type SeedFile = z.infer<typeof seedFileSchema>;
