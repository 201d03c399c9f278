import { callGatewayAsCore } from '../../harness';

/** Calls per plugin method at one gateway, summed over its mechanisms (GET /ferry/v1/metrics). */
export type PluginCalls = Record<string, number>;

/**
 * What a gateway's plugins were asked to do since it started: the gateway's own counters
 * (PluginMetrics, fed by the guard every plugin call passes through). A repeated prepare or finalize
 * from the core is answered from the gateway's database without calling the plugin, so these count
 * side effects, not HTTP requests.
 */
export async function gatewayPluginCalls(gatewayUrl: string, coreSecretKey: string): Promise<PluginCalls> {
  const r = await callGatewayAsCore(gatewayUrl, coreSecretKey, 'GET', '/metrics');
  if (r.status !== 200) throw new Error(`gateway ${gatewayUrl} metrics: ${r.status} ${JSON.stringify(r.body)}`);
  const out: PluginCalls = {};
  const byMechanism = (r.body.plugins ?? r.body) as Record<string, { calls?: Record<string, number> }>;
  for (const m of Object.values(byMechanism)) {
    for (const [method, n] of Object.entries(m?.calls ?? {})) out[method] = (out[method] ?? 0) + n;
  }
  return out;
}

/** Plugin calls that failed at one gateway since it started (all methods and codes). */
export async function gatewayPluginErrors(gatewayUrl: string, coreSecretKey: string): Promise<number> {
  const r = await callGatewayAsCore(gatewayUrl, coreSecretKey, 'GET', '/metrics');
  if (r.status !== 200) throw new Error(`gateway ${gatewayUrl} metrics: ${r.status} ${JSON.stringify(r.body)}`);
  const byMechanism = (r.body.plugins ?? r.body) as Record<string, { errors?: Record<string, number> }>;
  return Object.values(byMechanism).reduce((n, m) => n + Object.values(m?.errors ?? {}).reduce((a, b) => a + b, 0), 0);
}

/** The difference between two snapshots of plugin calls. */
export function callsSince(after: PluginCalls, before: PluginCalls): PluginCalls {
  const out: PluginCalls = {};
  for (const k of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/**
 * Core -> gateway calls one core process made since it started, by "provider call" (e.g.
 * 'provider-a prepare'), from the count of its ferry_provider_call_duration_seconds histogram
 * (every call is timed, answered or not). Per process: sum the replicas.
 */
export async function coreProviderCalls(coreUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${coreUrl}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`core ${coreUrl} /metrics: ${res.status} ${text.slice(0, 200)}`);
  const out: Record<string, number> = {};
  const re = /^ferry_provider_call_duration_seconds_count\{([^}]*)\} (\d+)/gm;
  for (const m of text.matchAll(re)) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    out[`${labels.provider} ${labels.call}`] = Number(m[2]);
  }
  return out;
}

export function sumCounts(...all: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, n] of Object.entries(c)) out[k] = (out[k] ?? 0) + n;
  return out;
}
