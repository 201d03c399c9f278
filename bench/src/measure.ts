
/** One tool in a scenario: ferry or a reference, run the same way on the same data. */
export interface Contender {
  name: string;
  ferry: boolean;
  /** untimed, before every run: a fresh destination, the page cache warmed */
  prepare?(): Promise<void>;
  /**
   * The timed part. May return its own wall seconds when it knows them better than the bench's
   * clock around the call (ferry: trigger sent -> the core's finishedAt, so polling adds nothing).
   */
  run(): Promise<number | void>;
  /** untimed, after every run: remove what the run wrote, check it arrived */
  cleanup?(): Promise<void>;
  /** CPU seconds used so far by everything that works for this tool (see proc-cpu.util CpuGroup) */
  cpu(): number;
  /** the same split by part, for FERRY_BENCH_CPU_DETAIL=1 */
  cpuParts?(): Record<string, number>;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export interface ContenderResult {
  name: string;
  ferry: boolean;
  /** per run, in the scenario's unit */
  values: number[];
  value: Summary;
  wallSeconds: Summary;
  cpuSeconds: Summary;
}

export interface Target {
  /** what is compared: a ratio against a reference, or ferry's own figure */
  what: string;
  /** the reference contender the ratio is against (absent for ferry's own figures) */
  reference?: string;
  /** ferry's figure that went into it, in the scenario's unit */
  ferry?: number;
  referenceValue?: number;
  op: '>=' | '<=';
  value: number;
  actual: number;
  met: boolean;
}

export interface Ratio {
  /** reference contender */
  vs: string;
  /** ferry ÷ reference of the medians, in the scenario's unit */
  ratio: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  contenders: ContenderResult[];
  ratios: Ratio[];
  targets: Target[];
  notes: string[];
  /** anything else worth keeping (sizes, settings) */
  details: Record<string, unknown>;
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length === 0 ? NaN : s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export interface RoundsOptions {
  rounds: number;
  /** turns one run's wall seconds into the scenario's unit (e.g. bytes / seconds / 1e6) */
  value(seconds: number): number;
  log(line: string): void;
}

/**
 * Runs every contender `rounds` times, alternating: each round runs each contender once, and the
 * order rotates from round to round so no tool always goes first (or right after a heavy one).
 * A warm-up run of each contender comes first and is not counted (first-touch page faults,
 * JIT, connection set-up inside long-lived processes).
 */
export async function runRounds(all: Contender[], o: RoundsOptions): Promise<ContenderResult[]> {
  // FERRY_BENCH_CONTENDERS=<regex> runs only the matching tools (for tuning one of them)
  const only = process.env.FERRY_BENCH_CONTENDERS ? new RegExp(process.env.FERRY_BENCH_CONTENDERS) : null;
  const contenders = only ? all.filter((c) => only.test(c.name)) : all;
  // FERRY_BENCH_CPU_DETAIL=1 logs each process tree's share (which of core, gateways, database)
  const detail = process.env.FERRY_BENCH_CPU_DETAIL === '1';
  const runs = contenders.map(() => ({ values: [] as number[], wall: [] as number[], cpu: [] as number[] }));
  const once = async (i: number) => {
    const c = contenders[i];
    await c.prepare?.();
    const cpu0 = c.cpu();
    const parts0 = detail ? c.cpuParts?.() ?? {} : {};
    const t0 = process.hrtime.bigint();
    const own = await c.run();
    const wall = typeof own === 'number' ? own : Number(process.hrtime.bigint() - t0) / 1e9;
    // a session process may still be exiting (and be reaped) just after the client returned
    await new Promise((r) => setTimeout(r, 250));
    const cpu = c.cpu() - cpu0;
    if (detail) {
      const parts = Object.entries(c.cpuParts?.() ?? {}).map(([k, v]) => `${k} ${(v - (parts0[k] ?? 0)).toFixed(2)} s`);
      o.log(`      CPU by part: ${parts.join(', ')}`);
    }
    await c.cleanup?.();
    return { wall, cpu };
  };
  for (let i = 0; i < contenders.length; i++) {
    const w = await once(i);
    o.log(`    warm-up ${contenders[i].name}: ${w.wall.toFixed(2)} s`);
  }
  for (let r = 0; r < o.rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (r + k) % contenders.length;
      const { wall, cpu } = await once(i);
      runs[i].wall.push(wall);
      runs[i].cpu.push(cpu);
      runs[i].values.push(o.value(wall));
      o.log(`    round ${r + 1} ${contenders[i].name}: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, ${o.value(wall).toFixed(1)}`);
    }
  }
  return contenders.map((c, i) => ({
    name: c.name,
    ferry: c.ferry,
    values: runs[i].values,
    value: summarize(runs[i].values),
    wallSeconds: summarize(runs[i].wall),
    cpuSeconds: summarize(runs[i].cpu),
  }));
}

/** ferry's median ÷ each reference's median. */
export function ratiosOf(results: ContenderResult[]): Ratio[] {
  const ferry = results.filter((r) => r.ferry);
  const out: Ratio[] = [];
  for (const f of ferry) {
    for (const ref of results.filter((r) => !r.ferry)) {
      out.push({ vs: ferry.length > 1 ? `${f.name} vs ${ref.name}` : ref.name, ratio: f.value.median / ref.value.median });
    }
  }
  return out;
}

export function target(what: string, op: '>=' | '<=', value: number, actual: number, extra: Partial<Target> = {}): Target {
  return { what, op, value, actual, met: op === '>=' ? actual >= value : actual <= value, ...extra };
}

/** A ratio target of ferry's median against the best setting of a reference tool. */
export function ratioTarget(results: ContenderResult[], refPrefix: string, op: '>=' | '<=', value: number, higherIsBetter: boolean, what?: string): Target {
  const ferry = results.find((r) => r.ferry);
  if (!ferry || !results.some((r) => r.name.startsWith(refPrefix))) return target(what ?? `ratio vs ${refPrefix}`, op, value, NaN); // a tuning run left a tool out
  const ref = best(results, (n) => n.startsWith(refPrefix), higherIsBetter);
  return target(what ?? `ratio vs ${refPrefix} (best setting)`, op, value, ferry.value.median / ref.value.median, {
    reference: ref.name,
    ferry: ferry.value.median,
    referenceValue: ref.value.median,
  });
}

/** The best median among contenders whose name matches (the best setting of a reference tool). */
export function best(results: ContenderResult[], match: (name: string) => boolean, higherIsBetter: boolean): ContenderResult {
  const xs = results.filter((r) => match(r.name));
  if (xs.length === 0) throw new Error('no contender matches');
  return xs.reduce((a, b) => (higherIsBetter ? (b.value.median > a.value.median ? b : a) : b.value.median < a.value.median ? b : a));
}
