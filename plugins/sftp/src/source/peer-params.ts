import { z } from 'zod';
import { MechanismError } from '@ferry/plugin-sdk';

/** What a destination hands the source through the researcher (its Preparation.forPeer). */
export const destinationPeerSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  hostKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
  username: z.string().min(1).max(128),
  grantToken: z.string().min(16).max(256),
  /** folder to upload into, as the server names it ('/' = the granted folder itself) */
  remotePath: z.string().min(1).max(4096).default('/'),
  /** ferry stream protocols the destination's server speaks (absent: SFTP only; old peers) */
  streams: z.array(z.string().max(64)).max(16).optional(),
});

export type DestinationPeer = z.infer<typeof destinationPeerSchema>;

export function parseDestinationPeer(peer: unknown): DestinationPeer {
  const r = destinationPeerSchema.safeParse(peer);
  if (!r.success) {
    // field names only: the values include the grant token
    const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
    throw new MechanismError('AUTH_FAILED', `the destination's parameters are malformed (${fields})`, 'fatal');
  }
  return r.data;
}
