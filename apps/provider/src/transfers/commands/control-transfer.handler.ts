import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type GatewayTransferStatus } from '@ferry/contracts';
import { TransferRepository } from '../../persistence/transfer.repository';
import type { StoredPhase, TransferRecord } from '../../persistence/transfer.record';
import { PluginHost } from '../../plugins/plugin-host.service';
import type { GuardedPlugin } from '../../plugins/guarded-plugin';
import { TransferRuntime } from '../../runtime/transfer-runtime.service';
import { toStatus } from '../transfer-status.util';
import { ControlTransferCommand } from './control-transfer.command';

const CANCELLABLE: readonly StoredPhase[] = ['preparing', 'prepared', 'triggered', 'running', 'paused'];

/**
 * pause / resume (source side, only when the mechanism has the ability) and cancel (every side this
 * gateway holds). Repeating an action that already took effect is a no-op, not an error.
 */
@CommandHandler(ControlTransferCommand)
export class ControlTransferHandler implements ICommandHandler<ControlTransferCommand, GatewayTransferStatus> {
  private readonly logger = new Logger(ControlTransferHandler.name);

  constructor(
    private readonly repo: TransferRepository,
    private readonly plugins: PluginHost,
    private readonly runtime: TransferRuntime,
  ) {}

  async execute({ transferId, action, role }: ControlTransferCommand): Promise<GatewayTransferStatus> {
    const all = await this.repo.findAll(transferId);
    const targets = role
      ? all.filter((r) => r.role === role)
      : action === 'cancel'
        ? all
        : all.filter((r) => r.role === 'source').concat(all.length === 1 ? all.filter((r) => r.role === 'destination') : []);
    if (targets.length === 0) throw new DomainError('NOT_FOUND', `no transfer ${transferId} at this gateway`);
    let last: TransferRecord = targets[0];
    for (const record of targets) last = await this.apply(record, action);
    return toStatus(last);
  }

  private async apply(record: TransferRecord, action: ControlTransferCommand['action']): Promise<TransferRecord> {
    const plugin = this.requirePlugin(record);
    if (action === 'cancel') return this.cancel(record, plugin);
    const [from, to]: [StoredPhase, StoredPhase] = action === 'pause' ? ['running', 'paused'] : ['paused', 'running'];
    if (!plugin.operations().includes(action)) {
      throw new DomainError('INVALID_STATE', `mechanism '${plugin.id}' cannot ${action} a transfer`);
    }
    if (record.phase === to) return record; // already done
    if (record.phase !== from) throw new DomainError('INVALID_STATE', `cannot ${action} transfer ${record.transferId}: it is ${record.phase}`);
    const t = this.runtime.attach(record);
    await (action === 'pause' ? plugin.pause(t) : plugin.resume(t));
    const next = await this.repo.transition(record, [from], to);
    if (!next) return (await this.repo.find(record))!; // it ended meanwhile; report how things are
    t.reporter.update({ phase: to }, true);
    return next;
  }

  private async cancel(record: TransferRecord, plugin: GuardedPlugin): Promise<TransferRecord> {
    if (record.phase === 'cancelled') return record;
    if (!CANCELLABLE.includes(record.phase)) {
      throw new DomainError('INVALID_STATE', `cannot cancel transfer ${record.transferId}: it is ${record.phase}`);
    }
    const t = this.runtime.attach(record);
    t.stop('transfer cancelled');
    await plugin.cancel(t);
    const next = await this.repo.transition(record, CANCELLABLE, 'cancelled');
    if (!next) return (await this.repo.find(record))!;
    // the core asked for it; still, a report keeps seq/phase in step for the task page
    if (record.phase !== 'preparing' && record.phase !== 'prepared') t.reporter.update({ phase: 'cancelled' }, true);
    this.logger.log(`transfer ${record.transferId}/${record.role} cancelled`);
    return next;
  }

  private requirePlugin(record: TransferRecord): GuardedPlugin {
    const plugin = this.plugins.get(record.mechanism);
    if (!plugin) throw new DomainError('INVALID_STATE', `mechanism '${record.mechanism}' is no longer configured at this gateway`);
    return plugin;
  }
}
