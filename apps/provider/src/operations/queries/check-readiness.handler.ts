import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';
import { runReadinessChecks } from '@ferry/ops';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config';
import { OperationsRepository } from '../../persistence/operations.repository';
import { CheckReadinessQuery } from './check-readiness.query';

/** A probe must answer before the prober gives up. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * Ready = the database answers. The core's reachability is reported (`informative`) but does not
 * make the gateway not-ready, on purpose: while the core is down the gateway still has work that
 * needs no core (expiring grants at their deadline, running transfers, keeping undelivered progress),
 * and when the core comes back its first calls (finalize, cancel, status) must find the gateway in
 * service. Taking it out of a load balancer because of the core would only delay that.
 */
@QueryHandler(CheckReadinessQuery)
export class CheckReadinessHandler implements IQueryHandler<CheckReadinessQuery, ReadinessView> {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly ops: OperationsRepository,
  ) {}

  execute(): Promise<ReadinessView> {
    return runReadinessChecks(
      [
        { name: 'database', probe: () => this.ops.ping() },
        { name: 'core', required: false, probe: () => this.coreAnswers() },
      ],
      PROBE_TIMEOUT_MS,
    );
  }

  /** The core's liveness probe (unsigned, no token), under the configured core URL. */
  private async coreAnswers(): Promise<void> {
    const base = this.config.core.url.endsWith('/') ? this.config.core.url : `${this.config.core.url}/`;
    const url = new URL('health/live', base);
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS - 500) });
      await res.arrayBuffer();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new Error(`core ${url.origin} could not be reached (${cause})`);
    }
    if (!res.ok) throw new Error(`core ${url.origin} answered ${url.pathname} with HTTP ${res.status}`);
  }
}
