import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type GatewayTriggerResponse, type TriggerPayload } from '@ferry/contracts';
import { CryptoError, open } from '@ferry/crypto';
import { GATEWAY_KEYS, type GatewayKeys } from '../../keys/gateway-keys';
import { TransferRepository } from '../../persistence/transfer.repository';
import { ENDED_PHASES, type TransferRecord } from '../../persistence/transfer.record';
import { PluginHost } from '../../plugins/plugin-host.service';
import { TransferRuntime } from '../../runtime/transfer-runtime.service';
import { hashValue, sameHex, sha256Hex } from '../transfer-hash.util';
import { TriggerTransferCommand } from './trigger-transfer.command';

/**
 * The researcher's consent, relayed by the core. Order of checks: the envelope opens with this
 * gateway's key and is bound to this transfer and role (TRIGGER_INVALID); it carries this
 * transfer's token (TRIGGER_INVALID); the same envelope again is an idempotent retry, another one
 * after acceptance is a replay (TRIGGER_REPLAYED); too late is EXPIRED; an ended transfer is
 * INVALID_STATE. Only then does the plugin hear of it.
 */
@CommandHandler(TriggerTransferCommand)
export class TriggerTransferHandler implements ICommandHandler<TriggerTransferCommand, GatewayTriggerResponse> {
  private readonly logger = new Logger(TriggerTransferHandler.name);

  constructor(
    @Inject(GATEWAY_KEYS) private readonly keys: GatewayKeys,
    private readonly repo: TransferRepository,
    private readonly plugins: PluginHost,
    private readonly runtime: TransferRuntime,
  ) {}

  async execute({ transferId, request }: TriggerTransferCommand): Promise<GatewayTriggerResponse> {
    const key = { transferId, role: request.role };
    const record = await this.repo.find(key);
    if (!record) throw new DomainError('NOT_FOUND', `no ${request.role} side of transfer ${transferId} at this gateway`);
    const payload = this.openEnvelope(transferId, request);
    if (!record.triggerTokenHash || !sameHex(sha256Hex(payload.triggerToken), record.triggerTokenHash)) {
      throw new DomainError('TRIGGER_INVALID', 'the trigger token does not match this transfer');
    }
    const envelopeHash = hashValue(request.envelope);
    const settled = this.alreadyTriggered(record, envelopeHash);
    if (settled) return settled;
    if (record.outcome === 'expired' || record.triggerDeadline.getTime() < Date.now()) {
      throw new DomainError('EXPIRED', `the trigger deadline of transfer ${transferId} passed at ${record.triggerDeadline.toISOString()}`);
    }
    if (ENDED_PHASES.includes(record.phase) || record.phase !== 'prepared') {
      throw new DomainError('INVALID_STATE', `transfer ${transferId} is ${record.phase} here and cannot be triggered`);
    }

    const claimed = await this.repo.markTriggered(key, envelopeHash);
    if (!claimed) {
      // a concurrent trigger won the compare-and-set: judge this one against it
      const now = await this.repo.find(key);
      const again = now && this.alreadyTriggered(now, envelopeHash);
      if (again) return again;
      throw new DomainError('INVALID_STATE', `transfer ${transferId} changed while it was being triggered`);
    }
    await this.start(claimed, payload);
    return { accepted: true, duplicate: false };
  }

  private openEnvelope(transferId: string, request: TriggerTransferCommand['request']): TriggerPayload {
    let payload: TriggerPayload;
    try {
      payload = open<TriggerPayload>(request.envelope, this.keys.box.secretKey, { transferId, role: request.role, purpose: 'trigger' });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      const why =
        e.code === 'WRONG_BINDING'
          ? `the trigger is bound to another transfer or role (${e.message})`
          : e.code === 'DECRYPT_FAILED'
            ? "the trigger cannot be opened with this gateway's key"
            : `the trigger is not a valid envelope (${e.message})`;
      throw new DomainError('TRIGGER_INVALID', why);
    }
    if (!payload || typeof payload.triggerToken !== 'string' || !payload.peer || typeof payload.peer !== 'object') {
      throw new DomainError('TRIGGER_INVALID', 'the trigger payload lacks triggerToken or peer');
    }
    return payload;
  }

  private alreadyTriggered(record: TransferRecord, envelopeHash: string): GatewayTriggerResponse | null {
    if (!record.triggerEnvelopeHash) return null;
    if (sameHex(record.triggerEnvelopeHash, envelopeHash)) return { accepted: true, duplicate: true };
    throw new DomainError('TRIGGER_REPLAYED', `transfer ${record.transferId} was already triggered with another envelope`);
  }

  private async start(record: TransferRecord, payload: TriggerPayload): Promise<void> {
    const plugin = this.plugins.get(record.mechanism);
    const t = this.runtime.attach(record);
    if (!plugin) {
      await this.runtime.markFailed(t, { code: 'UNSUPPORTED', message: `mechanism '${record.mechanism}' is no longer configured` });
      throw new DomainError('INVALID_STATE', `mechanism '${record.mechanism}' is no longer configured at this gateway`);
    }
    try {
      await plugin.trigger(t, payload.peer, payload.user);
    } catch (e) {
      // REJECTED is the mechanism refusing this trigger for good (a bad tunnel secret, a full port
      // range): the transfer fails with its message even when the plugin called it worth a later retry,
      // because the peer may already be running on the same trigger and needs to hear the outcome
      const rejected = e instanceof DomainError && e.details?.mechanismCode === 'REJECTED';
      const retry = e instanceof DomainError && e.details?.retry === 'retry' && !rejected;
      if (retry) {
        // transient: forget this trigger so that the same envelope can be relayed again
        await this.repo.unmarkTriggered(record);
      } else if (e instanceof DomainError) {
        await this.runtime.markFailed(t, { code: String(e.details?.mechanismCode ?? e.code), message: e.message });
      }
      throw e;
    }
    if (record.role === 'source') {
      const running = await this.repo.transition(record, ['triggered'], 'running');
      if (running) t.reporter.update({ phase: 'running' }, true);
    }
    this.logger.log(`transfer ${record.transferId}/${record.role} triggered (${record.mechanism})`);
  }
}
