import type { ReadinessView } from '@ferry/contracts';

export type ReadinessCheckResult = ReadinessView['checks'][number];

export interface ReadinessCheck {
  /** e.g. 'database', 'provider:provider-a', 'core' */
  name: string;
  /** resolves when healthy; its rejection's message becomes the check's `error` */
  probe: () => Promise<void>;
  /** false: reported, but does not make the service not-ready (default true) */
  required?: boolean;
}

/**
 * Runs every check at once, each bounded by `timeoutMs` (a probe must answer before the prober gives
 * up), and folds them into the `/health/ready` answer: ready when every required check passed.
 * Informative checks carry `informative: true` in the answer.
 */
export async function runReadinessChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<ReadinessView> {
  const results = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  const ready = results.every((r, i) => r.ok || checks[i].required === false);
  return { status: ready ? 'ready' : 'not-ready', checks: results };
}

async function runOne(c: ReadinessCheck, timeoutMs: number): Promise<ReadinessCheckResult> {
  const extra = c.required === false ? { informative: true } : {};
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(c.probe), timeout]);
    return { name: c.name, ok: true, ...extra };
  } catch (e) {
    return { name: c.name, ok: false, error: e instanceof Error ? e.message : String(e), ...extra };
  } finally {
    clearTimeout(timer);
  }
}
