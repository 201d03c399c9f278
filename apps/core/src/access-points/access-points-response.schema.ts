import { AccessPointsResponse, DomainError } from '@ferry/contracts';
import { z } from 'zod';

const peers = z.array(z.string().max(200)).max(1000);
const schema = z.object({
  providerId: z.string(),
  accessPoints: z
    .array(
      z.object({
        id: z.string().min(1).max(200),
        mechanism: z.string().min(1).max(100),
        initiator: z.object({ bindHost: z.string().max(300), portRange: z.string().max(50), lanSecret: z.boolean(), peers }).nullable(),
        listener: z.object({ targets: z.array(z.string().max(300)).max(1000), peers }).nullable(),
      }),
    )
    .max(1000),
});

/** A gateway's GET /ferry/v1/access-points answer, checked; garbage or another provider's answer is PROVIDER_UNAVAILABLE. */
export function parseAccessPointsResponse(providerId: string, raw: unknown): AccessPointsResponse {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DomainError('PROVIDER_UNAVAILABLE', `provider ${providerId} answered access-points with an invalid body (${i?.path.join('.')}: ${i?.message})`, {
      providerId,
    });
  }
  if (r.data.providerId !== providerId) {
    throw new DomainError('PROVIDER_ERROR', `the gateway of ${providerId} answered access-points as ${r.data.providerId}`, { providerId });
  }
  return r.data;
}
