import { Injectable } from '@nestjs/common';
import type { PluginMetricsSink } from '@ferry/plugin-sdk';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { OperationsRepository } from '../persistence/operations.repository';
import { PluginMetrics } from '../plugins/plugin-metrics';
import { PluginMetricsRegistry } from './plugin-metrics.registry';

export type ProgressReportResult = 'delivered' | 'retry' | 'refused';

interface TunnelCount {
  mechanism: string;
  open: number;
  total: number;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (two gateways in one process, as in
 * tests, never mix). Counters are fed where things happen (TransferRuntime: bytes and tunnel
 * figures; CoreClient: progress reports; plugins through their optional ctx.metrics); the plugin
 * call counters are GuardedPlugin's (PluginMetrics, also served signed at /ferry/v1/metrics) copied
 * in at scrape time; the transfer gauge is one GROUP BY per scrape.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly fromPlugins: PluginMetricsRegistry;
  private readonly tunnels = new Map<string, TunnelCount>();

  private readonly transfers = new Gauge({
    name: 'ferry_gateway_transfers',
    help: 'Transfers this gateway holds, by role, phase and mechanism (read at scrape time)',
    labelNames: ['role', 'phase', 'mechanism'] as const,
    registers: [this.registry],
  });

  private readonly bytes = new Counter({
    name: 'ferry_gateway_bytes_transferred_total',
    help: 'Bytes moved by this gateway as a source, as its plugins reported them (increase of bytesDone), by mechanism',
    labelNames: ['mechanism'] as const,
    registers: [this.registry],
  });

  private readonly pluginCalls = new Counter({
    name: 'ferry_gateway_plugin_calls_total',
    help: 'Calls into mechanism plugins (every attempt), by mechanism and method',
    labelNames: ['mechanism', 'method'] as const,
    registers: [this.registry],
  });

  private readonly pluginErrors = new Counter({
    name: 'ferry_gateway_plugin_errors_total',
    help: 'Plugin calls that failed, by mechanism and error code (INTERNAL = a plugin bug)',
    labelNames: ['mechanism', 'code'] as const,
    registers: [this.registry],
  });

  private readonly pluginRetries = new Counter({
    name: 'ferry_gateway_plugin_retries_total',
    help: "Plugin calls repeated because the plugin classified the failure as 'retry', by mechanism",
    labelNames: ['mechanism'] as const,
    registers: [this.registry],
  });

  private readonly reports = new Counter({
    name: 'ferry_gateway_progress_reports_total',
    help: 'Signed progress reports sent to the core, by result (delivered; retry = not delivered, sent again later; refused = dropped for good)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly tunnelOpen = new Gauge({
    name: 'ferry_gateway_tunnel_connections_open',
    help: 'Connections open through stream tunnels at this gateway, by mechanism',
    labelNames: ['mechanism'] as const,
    registers: [this.registry],
  });

  private readonly tunnelTotal = new Counter({
    name: 'ferry_gateway_tunnel_connections_total',
    help: 'Connections accepted through stream tunnels at this gateway since it started, by mechanism',
    labelNames: ['mechanism'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly ops: OperationsRepository,
    private readonly plugins: PluginMetrics,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.fromPlugins = new PluginMetricsRegistry(this.registry);
    for (const result of ['delivered', 'retry', 'refused'] as const) this.reports.inc({ result }, 0);
  }

  /** A source transfer's bytesDone advanced by `n`. */
  bytesMoved(mechanism: string, n: number): void {
    if (n > 0 && Number.isFinite(n)) this.bytes.inc({ mechanism }, n);
  }

  progressReport(result: ProgressReportResult): void {
    this.reports.inc({ result });
  }

  /** The latest figures a tunnel reported at this gateway (`key` names the transfer and role). */
  tunnelFigures(key: string, mechanism: string, figures: { connectionsOpen: number; connectionsTotal: number }): void {
    const prev = this.tunnels.get(key);
    const added = figures.connectionsTotal - (prev?.total ?? 0);
    if (added > 0) this.tunnelTotal.inc({ mechanism }, added);
    this.tunnels.set(key, { mechanism, open: Math.max(0, figures.connectionsOpen), total: Math.max(prev?.total ?? 0, figures.connectionsTotal) });
  }

  /** The tunnel is over here: its connections no longer count as open. */
  tunnelGone(key: string): void {
    this.tunnels.delete(key);
  }

  /** The `ctx.metrics` given to one plugin. */
  pluginSink(mechanism: string, warn: (message: string) => void): PluginMetricsSink {
    return this.fromPlugins.sink(mechanism, warn);
  }

  /** The text exposition, with the read-at-scrape figures brought up to date first. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const counts = await this.ops.countByRolePhaseMechanism();
    this.transfers.reset();
    for (const c of counts) this.transfers.set({ role: c.role, phase: c.phase, mechanism: c.mechanism }, c.count);

    // GuardedPlugin's counters only grow, so copying them in keeps these counters monotonic
    this.pluginCalls.reset();
    this.pluginErrors.reset();
    this.pluginRetries.reset();
    for (const [mechanism, m] of Object.entries(this.plugins.snapshot())) {
      for (const [method, n] of Object.entries(m.calls)) this.pluginCalls.inc({ mechanism, method }, n);
      for (const [code, n] of Object.entries(m.errors)) this.pluginErrors.inc({ mechanism, code }, n);
      this.pluginRetries.inc({ mechanism }, m.retries);
    }

    this.tunnelOpen.reset();
    const open = new Map<string, number>();
    for (const t of this.tunnels.values()) open.set(t.mechanism, (open.get(t.mechanism) ?? 0) + t.open);
    for (const [mechanism, n] of open) this.tunnelOpen.set({ mechanism }, n);

    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
