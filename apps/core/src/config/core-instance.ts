import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CORE_CONFIG, CoreConfig } from './core-config';

/** How long the core waits for each kind of gateway call. */
export interface GatewayTimeouts {
  /** prepare, trigger, browse, descriptor: quick answers */
  call: number;
  /** pause/resume/cancel: the gateway answers once the mechanism has stopped or paused */
  control: number;
  /** finalize: the destination may verify a large tree (sha256 of every file) before answering */
  finalize: number;
}

/**
 * This core process among possibly several replicas on one database: its id names the leases it
 * takes on tasks. A lease is short (LEASE_MS) and renewed while the work goes on (TaskLeases), so
 * work left by a crashed process is picked up within LEASE_MS, however long gateway calls may take.
 */
@Injectable()
export class CoreInstance {
  static readonly LEASE_MS = 30_000;
  static readonly RENEW_EVERY_MS = 10_000;

  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly timeouts: GatewayTimeouts;
  readonly leaseMs = CoreInstance.LEASE_MS;

  constructor(@Inject(CORE_CONFIG) config: CoreConfig) {
    const base = config.gatewayTimeoutMs;
    this.timeouts = { call: base, control: base * 4, finalize: base * 40 };
  }
}
