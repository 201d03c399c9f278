import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TransferRepository } from '../persistence/transfer.repository';
import { RUNNING_PHASES, type TransferRecord } from '../persistence/transfer.record';
import { PluginHost } from '../plugins/plugin-host.service';
import { TransferRuntime } from '../runtime/transfer-runtime.service';

/**
 * After a restart: every transfer that was triggered and not over goes back to its plugin's
 * recover() (a source resumes, a destination re-installs its grant; a paused one is paused again
 * right after). If recover fails the transfer fails with a message saying so and the core is told:
 * nothing stays 'running' forever. Reports the core may not have received are sent again.
 */
@Injectable()
export class TransferRecovery implements OnApplicationBootstrap {
  private readonly logger = new Logger(TransferRecovery.name);

  constructor(
    private readonly repo: TransferRepository,
    private readonly plugins: PluginHost,
    private readonly runtime: TransferRuntime,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = await this.repo.listInPhases(RUNNING_PHASES);
    for (const record of interrupted) await this.recover(record);
    for (const record of await this.repo.listReportPending()) this.runtime.attach(record).reporter.resend();
    if (interrupted.length > 0) this.logger.log(`recovered ${interrupted.length} interrupted transfer(s)`);
  }

  private async recover(record: TransferRecord): Promise<void> {
    const t = this.runtime.attach(record);
    const plugin = this.plugins.get(record.mechanism);
    if (!plugin) {
      await this.runtime.markFailed(t, {
        code: 'RECOVERY_FAILED',
        message: `mechanism '${record.mechanism}' is no longer configured at this gateway; the transfer cannot resume`,
      });
      return;
    }
    try {
      await plugin.recover(t);
      if (record.phase === 'paused') await plugin.pause(t);
      // a source that crashed between accepting the trigger and starting is running now
      if (record.role === 'source' && record.phase === 'triggered' && (await this.repo.transition(record, ['triggered'], 'running'))) {
        t.reporter.update({ phase: 'running' }, true);
      }
      this.logger.log(`transfer ${record.transferId}/${record.role} resumed after restart (${record.phase})`);
    } catch (e) {
      await this.runtime.markFailed(t, {
        code: 'RECOVERY_FAILED',
        message: `could not resume after a gateway restart: ${(e as Error).message}`,
      });
    }
  }
}
