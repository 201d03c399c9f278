import type { CoreHarness } from './core-harness';

/** FERRY_METRICS_TOKEN of the operations harness. */
export const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format (enough of it for tests: no escapes inside label values). */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Sum of the samples of `name` whose labels include `labels` (0 when none). */
export function metric(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

export async function scrape(h: CoreHarness, token: string | null = METRICS_TOKEN): Promise<Sample[]> {
  const res = await fetch(`${h.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`metrics answered ${res.status}`);
  return parseExposition(await res.text());
}

const TABLES = ['users', 'api_tokens', 'projects', 'project_members', 'drives', 'drive_acl', 'identity_mappings', 'providers', 'audit_log', 'tasks'];

/** A fingerprint of every table the admin API can change (and the audit log): equal = nothing changed. */
export async function snapshot(h: CoreHarness): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const rows = (await h.sql(`SELECT count(*)::int AS n, md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${t} x`)) as Array<{ n: number; h: string }>;
    out[t] = `${rows[0].n}:${rows[0].h}`;
  }
  return out;
}

/** Runs `bad`, expects its 4xx code, and that no table changed. */
export async function expectRefused(h: CoreHarness, bad: () => Promise<{ status: number; body: any }>, status: number, code: string): Promise<any> {
  const before = await snapshot(h);
  const r = await bad();
  expect({ status: r.status, code: r.body?.error?.code }).toEqual({ status, code });
  expect(await snapshot(h)).toEqual(before);
  return r.body;
}
