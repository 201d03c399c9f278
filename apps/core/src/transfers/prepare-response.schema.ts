import { DomainError, PrepareResponse } from '@ferry/contracts';
import { Envelope, isEnvelope } from '@ferry/crypto';
import { z } from 'zod';

const accepted = z.object({
  accepted: z.literal(true),
  mechanism: z.string().min(1),
  publicParams: z.record(z.unknown()),
  sealed: z.custom<Envelope>(isEnvelope, 'not an envelope'),
  signature: z.string().min(1),
  needsPeer: z.boolean(),
  operations: z.array(z.enum(['pause', 'resume', 'cancel'])),
});

const rejected = z.object({
  accepted: z.literal(false),
  code: z.enum(['REJECTED_BY_POLICY', 'NO_COMMON_MECHANISM', 'BAD_PATH', 'NOT_FOUND']),
  reason: z.string(),
});

const schema = z.discriminatedUnion('accepted', [accepted, rejected]);

/** A gateway's prepare answer, checked: anything malformed is the gateway's fault (PROVIDER_UNAVAILABLE: garbage). */
export function parsePrepareResponse(providerId: string, raw: unknown): PrepareResponse {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DomainError(
      'PROVIDER_UNAVAILABLE',
      `provider ${providerId} answered prepare with an invalid body (${issue?.path.join('.')}: ${issue?.message})`,
      { providerId },
    );
  }
  return r.data as PrepareResponse;
}
