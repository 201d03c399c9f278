import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CORE_CONFIG, CoreConfig } from './core-config';

/**
 * This core process among possibly several replicas on one database: its id names the leases it
 * takes on tasks, and lease lengths follow from the gateway timeout so that a lease outlives the
 * calls made under it.
 */
@Injectable()
export class CoreInstance {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(@Inject(CORE_CONFIG) private readonly config: CoreConfig) {}

  /** A lease long enough for `calls` sequential gateway calls, plus slack. */
  leaseMs(calls: number): number {
    return calls * this.config.gatewayTimeoutMs + 5_000;
  }
}
