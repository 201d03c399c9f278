import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';
import { runReadinessChecks } from '@ferry/ops';
import { CORE_CONFIG, CoreConfig } from '../../config/core-config';
import { GatewayClient } from '../../gateway/gateway.client';
import { HealthRepository, ProviderRepository } from '../../persistence/repositories';
import { CheckReadinessQuery } from './check-readiness.query';

/** A probe must answer before the prober gives up: gateways get at most this long. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * All checks run at once (runReadinessChecks, shared with the gateway). Each registered gateway must
 * answer GET /.well-known/ferry-provider with its own id (a 2xx from something else is not that
 * gateway). Nothing is written: the registry's cached keys are refreshed by real use, not by probes.
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
    let providers: Array<{ id: string; url: string }> = [];
    try {
      providers = await this.providers.list();
    } catch {
      // the database check reports it
    }
    const timeoutMs = Math.min(this.config.gatewayTimeoutMs, PROBE_TIMEOUT_MS);
    return runReadinessChecks(
      [
        { name: 'database', probe: () => this.health.ping() },
        ...providers.map((p) => ({
          name: `provider:${p.id}`,
          probe: async () => {
            const d = (await this.client.descriptor(p, { timeoutMs })) as { id?: unknown } | undefined;
            if (d?.id !== p.id) throw new Error(`${p.url} answers as ${JSON.stringify(d?.id ?? null)}, not ${p.id}`);
          },
        })),
      ],
      // the descriptor call has its own timeout; this bound is for the database
      timeoutMs + 1_000,
    );
  }
}
