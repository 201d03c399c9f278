import { z } from 'zod';
import { permission, principalName, slug } from '../../admin-input.util';

/** One principal (user xor project) and the permissions to grant or revoke on a drive. */
export const aclChangeSchema = z
  .object({
    drive: slug,
    user: principalName.optional(),
    project: principalName.optional(),
    permissions: z
      .array(permission)
      .min(1)
      .transform((p) => [...new Set(p)]),
  })
  .strict()
  .refine((a) => !!a.user !== !!a.project, 'name either a user or a project');
export type AclChangeInput = z.infer<typeof aclChangeSchema>;

export const listAclSchema = z.object({ drive: slug.optional() }).strict();
