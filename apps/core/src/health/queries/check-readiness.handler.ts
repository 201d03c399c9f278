import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';
import { CORE_CONFIG, CoreConfig } from '../../config/core-config';
import { GatewayClient } from '../../gateway/gateway.client';
import { HealthRepository, ProviderRepository } from '../../persistence/repositories';
import { CheckReadinessQuery } from './check-readiness.query';

/** A probe must answer before the prober gives up: gateways get at most this long. */
const PROBE_TIMEOUT_MS = 5_000;

type Check = ReadinessView['checks'][number];

/**
 * All checks run at once. Each registered gateway must answer GET /.well-known/ferry-provider with
 * its own id (a 2xx from something else is not that gateway). Nothing is written: the registry's
 * cached keys are refreshed by real use, not by probes.
 */
@QueryHandler(CheckReadinessQuery)
export class CheckReadinessHandler implements IQueryHandler<CheckReadinessQuery> {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly health: HealthRepository,
    private readonly providers: ProviderRepository,
    private readonly client: GatewayClient,
  ) {}

  async execute(): Promise<ReadinessView> {
    const database = this.check('database', () => this.health.ping());
    let providers: Array<{ id: string; url: string }> = [];
    try {
      providers = await this.providers.list();
    } catch {
      // the database check reports it
    }
    const timeoutMs = Math.min(this.config.gatewayTimeoutMs, PROBE_TIMEOUT_MS);
    const gateways = providers.map((p) =>
      this.check(`provider:${p.id}`, async () => {
        const d = (await this.client.descriptor(p, { timeoutMs })) as { id?: unknown } | undefined;
        if (d?.id !== p.id) throw new Error(`${p.url} answers as ${JSON.stringify(d?.id ?? null)}, not ${p.id}`);
      }),
    );
    const checks = await Promise.all([database, ...gateways]);
    return { status: checks.every((c) => c.ok) ? 'ready' : 'not-ready', checks };
  }

  private async check(name: string, probe: () => Promise<void>): Promise<Check> {
    try {
      await probe();
      return { name, ok: true };
    } catch (e) {
      return { name, ok: false, error: (e as Error).message };
    }
  }
}
