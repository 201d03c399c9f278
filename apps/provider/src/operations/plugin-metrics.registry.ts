import type { PluginMetricsSink } from '@ferry/plugin-sdk';
import { Counter, Gauge, type Registry } from 'prom-client';

const NAME = /^[a-z][a-z0-9_]{0,99}$/;

type Kind = 'counter' | 'gauge';

/**
 * The series plugins feed through `ctx.metrics`: `ferry_plugin_<name>{mechanism}`, created on first
 * use. Two plugins may use the same name (the mechanism label tells them apart) as long as both use
 * it as the same kind. Plugin mistakes (bad names, a counter used as a gauge, negative increments)
 * are logged once per name and ignored: metrics never break a transfer.
 */
export class PluginMetricsRegistry {
  private readonly series = new Map<string, { kind: Kind; metric: Counter<'mechanism'> | Gauge<'mechanism'> }>();
  private readonly warned = new Set<string>();

  constructor(private readonly registry: Registry) {}

  sink(mechanism: string, warn: (message: string) => void): PluginMetricsSink {
    return {
      increment: (name, by = 1, help) => {
        const c = this.metric('counter', name, help, mechanism, warn);
        if (!c) return;
        if (!(by >= 0) || !Number.isFinite(by)) return this.warnOnce(`${mechanism}:${name}:negative`, warn, `metric '${name}': a counter only goes up (got ${by})`);
        (c as Counter<'mechanism'>).inc({ mechanism }, by);
      },
      set: (name, value, help) => {
        const g = this.metric('gauge', name, help, mechanism, warn);
        if (g && Number.isFinite(value)) (g as Gauge<'mechanism'>).set({ mechanism }, value);
      },
    };
  }

  private metric(kind: Kind, name: string, help: string | undefined, mechanism: string, warn: (m: string) => void) {
    if (typeof name !== 'string' || !NAME.test(name)) {
      this.warnOnce(`${mechanism}:${String(name)}:name`, warn, `metric name '${String(name)}' ignored: use lower-case letters, digits and _`);
      return null;
    }
    const existing = this.series.get(name);
    if (existing) {
      if (existing.kind === kind) return existing.metric;
      this.warnOnce(`${mechanism}:${name}:kind`, warn, `metric '${name}' is a ${existing.kind}; using it as a ${kind} is ignored`);
      return null;
    }
    const config = {
      name: `ferry_plugin_${name}`,
      help: help ?? `reported by a mechanism plugin (${name})`,
      labelNames: ['mechanism'] as const,
      registers: [this.registry],
    };
    const metric = kind === 'counter' ? new Counter(config) : new Gauge(config);
    this.series.set(name, { kind, metric });
    return metric;
  }

  private warnOnce(key: string, warn: (m: string) => void, message: string) {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    warn(message);
  }
}
