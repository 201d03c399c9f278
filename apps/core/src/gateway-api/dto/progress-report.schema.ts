import { DomainError, MAX_PROGRESS_BATCH, ProgressReport } from '@ferry/contracts';
import { z } from 'zod';

const count = z.number().finite().nonnegative();
// stored in bigint columns: at most 2^53 - 1 (larger numbers are not exact in JSON and are sent as 1e+21)
const big = count.max(Number.MAX_SAFE_INTEGER);
const figures = z.object({
  bytesDone: big,
  bytesTotal: big.nullable(),
  filesDone: big,
  filesTotal: big.nullable(),
  rate: count.nullable(),
  eta: count.nullable(),
  message: z.string().max(2000).nullable(),
});

const schema = z.object({
  transferId: z.string().uuid(),
  role: z.enum(['source', 'destination', 'initiator', 'listener']),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  phase: z.enum(['prepared', 'triggered', 'running', 'paused', 'completed', 'failed', 'cancelled', 'finalized']),
  progress: figures,
  manifest: z
    .object({
      verify: z.enum(['size', 'checksum']),
      files: z.array(z.object({ path: z.string(), size: count, sha256: z.string().optional() })),
    })
    .optional(),
  error: z.object({ code: z.string().max(100), message: z.string().max(4000) }).optional(),
  tunnel: z
    .object({
      listenAddress: z.string().nullable(),
      connectionsOpen: count,
      connectionsTotal: count,
      bytesAtoB: count,
      bytesBtoA: count,
    })
    .optional(),
  events: z
    .array(
      z.object({
        at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time'),
        type: z.string().min(1).max(100),
        message: z.string().max(2000),
      }),
    )
    .max(1000)
    .optional(),
});

/** A gateway's progress report, checked (VALIDATION_FAILED names the first bad field). */
export function parseProgressReport(raw: unknown): ProgressReport {
  const r = checkReport(raw, 'progress report');
  if (r instanceof DomainError) throw r;
  return r;
}

/**
 * A batch body `{reports: [...]}` with 1..MAX_PROGRESS_BATCH entries (otherwise the whole batch is
 * refused, VALIDATION_FAILED). Each entry is checked on its own: a malformed one comes back as its
 * DomainError, so it is refused alone and the others still apply.
 */
export function parseProgressBatch(raw: unknown): Array<ProgressReport | DomainError> {
  const reports = (raw as { reports?: unknown } | null)?.reports;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Array.isArray(reports)) {
    throw new DomainError('VALIDATION_FAILED', 'progress batch: the body must be {"reports": [ProgressReport, ...]}');
  }
  if (reports.length === 0 || reports.length > MAX_PROGRESS_BATCH) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `progress batch: reports: ${reports.length} reports, a batch carries 1 to ${MAX_PROGRESS_BATCH}`,
      { max: MAX_PROGRESS_BATCH },
    );
  }
  return reports.map((r, i) => checkReport(r, `progress batch: reports.${i}`));
}

function checkReport(raw: unknown, what: string): ProgressReport | DomainError {
  const r = schema.safeParse(raw);
  if (r.success) return r.data as ProgressReport;
  const i = r.error.issues[0];
  return new DomainError('VALIDATION_FAILED', `${what}: ${i?.path.join('.') || '(body)'}: ${i?.message}`);
}
