import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { TransferRepository } from '../persistence/transfer.repository';
import { UNTRIGGERED_PHASES, type TransferRecord } from '../persistence/transfer.record';
import { PluginHost } from '../plugins/plugin-host.service';
import { TransferRuntime } from '../runtime/transfer-runtime.service';
import { TransferFinalizer } from './transfer-finalizer.service';

/**
 * Prepared transfers nobody triggered by their deadline are expired here even if the core never
 * says so (it may be down): plugin.cancel + plugin.finalize('expired'), so grants and keys do not
 * outlive the deadline. Runs at boot and every sweepIntervalMs.
 */
@Injectable()
export class ExpirySweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpirySweep.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly repo: TransferRepository,
    private readonly finalizer: TransferFinalizer,
    private readonly plugins: PluginHost,
    private readonly runtime: TransferRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; overlapping calls share the pass in progress. */
  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  /**
   * Claims the transfer first (compare-and-set to cancelled/expired), so that a trigger arriving at
   * the deadline either wins before (and the transfer runs) or finds it expired (410), never both.
   */
  private expire(listed: TransferRecord): Promise<void> {
    // exclusive with the core's finalize of the same transfer, which may arrive right now
    return this.finalizer.exclusive(listed, async () => {
      const record = await this.repo.find(listed);
      if (!record || record.finalizeResponse) return; // finalized meanwhile
      // an earlier pass may have claimed it and not got to finalize (crash, plugin error)
      const claimed = UNTRIGGERED_PHASES.includes(record.phase)
        ? await this.repo.transition(record, UNTRIGGERED_PHASES, 'cancelled', { outcome: 'expired' })
        : record.phase === 'cancelled' && record.outcome === 'expired' ? record : null;
      if (!claimed) return; // triggered meanwhile
      const plugin = this.plugins.get(record.mechanism);
      if (plugin) await plugin.cancel(this.runtime.attach(claimed));
      await this.finalizer.finalizeHeld(claimed, { outcome: 'expired' });
      this.logger.log(`transfer ${record.transferId}/${record.role} expired untriggered`);
    });
  }

  private async pass(): Promise<void> {
    let due;
    try {
      due = await this.repo.listUntriggeredPast(new Date());
    } catch (e) {
      return void this.logger.error(`expiry sweep could not read transfers: ${(e as Error).message}`);
    }
    for (const record of due) {
      try {
        await this.expire(record);
      } catch (e) {
        this.logger.warn(`could not expire transfer ${record.transferId}/${record.role}: ${(e as Error).message}`);
      }
    }
  }
}
