import { z } from 'zod';
import { DomainError, findUnsafeInput, MAX_INPUT_DEPTH } from '@ferry/contracts';
import { ENVELOPE_ALG } from '@ferry/crypto';
import { formatIssue } from '../config/load-gateway-config';

/** Shapes of the core's calls. Deeper checks (keys, paths, envelopes opening) happen in handlers. */
const envelope = z.object({
  v: z.literal(1),
  alg: z.literal(ENVELOPE_ALG),
  epk: z.string().max(200),
  nonce: z.string().max(200),
  ct: z.string(),
});

const role = z.enum(['source', 'destination']);
/** Transfer ids are the core's (UUIDs); anything with control characters or NUL cannot be stored. */
export const TRANSFER_ID_PATTERN = /^[^\u0000-\u001f\u007f]+$/;
const json = z.record(z.unknown());

export const prepareRequestSchema = z.object({
  transferId: z.string().min(1).max(200).regex(TRANSFER_ID_PATTERN, 'must not contain control characters'),
  role,
  identity: z.string().min(1).max(200),
  drive: z.string().max(200),
  path: z.string().max(4096),
  peer: z.object({
    providerId: z.string().min(1),
    name: z.string(),
    signPublicKey: z.string(),
    boxPublicKey: z.string(),
    mechanisms: z.array(z.string()),
  }),
  userPublicKey: z.string().min(1),
  options: z
    .object({ verify: z.enum(['size', 'checksum']).optional(), mechanism: z.string().min(1).optional(), label: z.string().optional() })
    .passthrough()
    .default({}),
  mechanism: z.string().min(1).optional(),
  peerPublicParams: json.optional(),
  triggerDeadline: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time'),
  tunnel: z.object({ accessPoint: z.string().min(1), target: z.string().min(1), lifetimeMinutes: z.number().positive() }).optional(),
});

export const triggerRequestSchema = z.object({ role, envelope });

export const controlRequestSchema = z.object({
  action: z.enum(['pause', 'resume', 'cancel']),
  role: role.optional(),
});

const manifest = z.object({
  verify: z.enum(['size', 'checksum']),
  files: z.array(z.object({ path: z.string(), size: z.number().nonnegative(), sha256: z.string().optional() })),
});

export const finalizeRequestSchema = z.object({
  outcome: z.enum(['succeeded', 'failed', 'cancelled', 'expired']),
  manifest: manifest.optional(),
  reason: z.string().max(2000).optional(),
  role: role.optional(),
});

export const browseRequestSchema = z.object({
  identity: z.string().min(1),
  drive: z.string().min(1),
  path: z.string().max(4096).default(''),
});

export const roleQuerySchema = role.optional();

/** Deeper than any request the core sends (a few levels). */
const MAX_DEPTH = MAX_INPUT_DEPTH;

/**
 * Parses a request body or throws VALIDATION_FAILED listing every problem. Whatever the schema, text
 * with NUL is refused (PostgreSQL can store it neither as text nor in jsonb; in a `path`, BAD_PATH),
 * and so is nesting deeper than MAX_DEPTH (opaque parts such as peerPublicParams are stored and handed
 * on as they are).
 */
export function parseRequest<S extends z.ZodTypeAny>(schema: S, body: unknown, what = 'body'): z.output<S> {
  const unsafe = findUnsafeInput(body, MAX_DEPTH);
  if (unsafe === 'path') throw new DomainError('BAD_PATH', `a path in the ${what} contains a NUL byte`);
  if (unsafe === 'nul') throw new DomainError('VALIDATION_FAILED', `invalid request: the ${what} contains a NUL character`);
  if (unsafe === 'deep') throw new DomainError('VALIDATION_FAILED', `invalid request: the ${what} is nested deeper than ${MAX_DEPTH} levels`);
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => formatIssue(i, [what]));
  throw new DomainError('VALIDATION_FAILED', `invalid request: ${problems.join('; ')}`, { problems });
}
