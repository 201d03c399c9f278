import { Injectable } from '@nestjs/common';
import { END_STATES, TaskState } from '@ferry/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TaskRepository } from '../persistence/repositories';

/**
 * The core's Prometheus metrics, in a registry of its own (not prom-client's global one), so two
 * cores in one process (tests, replicas) never mix their figures. Counters and histograms are
 * updated where things happen (HTTP middleware, GatewayClient, progress ingestion, rate limiter);
 * the task gauges are read from the database when scraped: one GROUP BY per scrape, so every
 * replica reports the same totals (do not sum them across replicas; counters are per process).
 */
@Injectable()
export class CoreMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'ferry_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly providerCallDuration = new Histogram({
    name: 'ferry_provider_call_duration_seconds',
    help: 'Duration of core -> gateway calls (signed calls and descriptor fetches), by provider and call',
    labelNames: ['provider', 'call'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly providerCallErrors = new Counter({
    name: 'ferry_provider_call_errors_total',
    help: 'Core -> gateway calls that failed, by provider, call and the resulting error code',
    labelNames: ['provider', 'call', 'code'] as const,
    registers: [this.registry],
  });

  readonly progressReports = new Counter({
    name: 'ferry_progress_reports_total',
    help: 'Signed progress reports from gateways that reached the core, by result (applied, dropped)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly bytesTransferred = new Counter({
    name: 'ferry_bytes_transferred_total',
    help: 'Bytes moved site to site, as the source gateways reported (increase of bytesDone), by mechanism',
    labelNames: ['mechanism'] as const,
    registers: [this.registry],
  });

  readonly staleTaskChecks = new Counter({
    name: 'ferry_stale_task_checks_total',
    help: 'Status checks of tasks whose source gateway stopped reporting, by result (refreshed, unreachable, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'ferry_rate_limited_total',
    help: 'Requests refused with 429 RATE_LIMITED',
    registers: [this.registry],
  });

  private readonly transfers = new Gauge({
    name: 'ferry_transfers',
    help: 'Transfers in the database, by state and mechanism (read at scrape time)',
    labelNames: ['state', 'mechanism'] as const,
    registers: [this.registry],
  });

  private readonly activeTasks = new Gauge({
    name: 'ferry_active_tasks',
    help: 'Tasks that have not ended (any state but REJECTED, SUCCEEDED, FAILED, CANCELLED, EXPIRED, CLOSED), by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(private readonly tasks: TaskRepository) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The text exposition, with the task gauges read from the database first. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const counts = await this.tasks.countByKindStateMechanism();
    this.transfers.reset();
    this.activeTasks.reset();
    this.activeTasks.set({ kind: 'transfer' }, 0);
    this.activeTasks.set({ kind: 'tunnel' }, 0);
    for (const c of counts) {
      if (c.kind === 'transfer') this.transfers.inc({ state: c.state, mechanism: c.mechanism ?? 'none' }, c.count);
      if (!END_STATES.includes(c.state as TaskState)) this.activeTasks.inc({ kind: c.kind }, c.count);
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
