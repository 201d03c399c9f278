import { MechanismError } from '@ferry/plugin-sdk';
import { z } from 'zod';

/** What the source publishes (publicParams): who will write, from where. */
export const sourceParamsSchema = z.object({
  mechanism: z.literal('globus'),
  /** `<clientId>@clients.auth.globus.org` */
  applicationIdentity: z.string().min(1),
  /** the identity id ACL rules name (for a client, its client id) */
  identityId: z.string().min(1),
  collectionId: z.string().min(1),
  path: z.string().startsWith('/'),
  type: z.enum(['file', 'dir']),
  /** the source is its drive's root: its contents (not the folder itself) land in the destination */
  isDriveRoot: z.boolean().default(false),
});
export type SourceParams = z.infer<typeof sourceParamsSchema>;

/** What the destination hands the source (forPeer, through the researcher): where to write. */
export const destinationParamsSchema = z.object({
  mechanism: z.literal('globus'),
  collectionId: z.string().min(1),
  /** the destination folder; the source item is copied INTO it */
  path: z.string().startsWith('/'),
});
export type DestinationParams = z.infer<typeof destinationParamsSchema>;

export function parsePeer<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new MechanismError('REJECTED', `globus: ${what} are missing or malformed (${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`, 'fatal');
  }
  return r.data;
}
