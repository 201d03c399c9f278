import { AUDIT_ACTIONS } from '@ferry/contracts';
import { z } from 'zod';
import { principalName, uuid } from '../../admin-input.util';

/** ?user=&task=&action=&since=&limit=&cursor= */
export const auditQuerySchema = z
  .object({
    user: principalName.optional(),
    task: uuid.optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    since: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date or date-time')
      .transform((s) => new Date(s))
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type AuditQueryInput = z.infer<typeof auditQuerySchema>;
