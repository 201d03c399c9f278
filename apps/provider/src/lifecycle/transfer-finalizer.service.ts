import { Injectable, Logger } from '@nestjs/common';
import { DomainError, type FinalizeRequest, type FinalizeResponse } from '@ferry/contracts';
import { TransferRepository } from '../persistence/transfer.repository';
import type { StoredPhase, TransferKey, TransferRecord } from '../persistence/transfer.record';
import { PluginHost } from '../plugins/plugin-host.service';
import { TransferRuntime } from '../runtime/transfer-runtime.service';

const UNFINISHED: readonly StoredPhase[] = ['preparing', 'prepared', 'triggered', 'running', 'paused'];

/**
 * End of one side of a transfer at this gateway, for the core's finalize and for the expiry sweep:
 * anything still going is cancelled first (unless the outcome is success), plugin.finalize verifies
 * (destination) and revokes grants, the answer is stored (a repeated finalize returns it unchanged)
 * and the transfer's secrets are deleted.
 *
 * Finalizations of one (transfer, role) run one after the other in this process: the core's finalize
 * and this gateway's own expiry at the deadline can arrive together, and the plugin must be asked to
 * cancel and finalize once, not once per caller. The second caller reads the stored answer.
 */
@Injectable()
export class TransferFinalizer {
  private readonly logger = new Logger(TransferFinalizer.name);
  /** per (transfer, role): the finalization running now, which the next one waits for */
  private readonly busy = new Map<string, Promise<void>>();

  constructor(
    private readonly repo: TransferRepository,
    private readonly plugins: PluginHost,
    private readonly runtime: TransferRuntime,
  ) {}

  /** Finalizes with the record as stored once any other finalization of it here has ended. */
  finalize(record: TransferKey, request: Pick<FinalizeRequest, 'outcome' | 'manifest'>): Promise<FinalizeResponse> {
    return this.exclusive(record, async () => {
      const fresh = await this.repo.find(record);
      if (!fresh) throw new DomainError('NOT_FOUND', `no transfer ${record.transferId} at this gateway`);
      return this.finalizeHeld(fresh, request);
    });
  }

  /** Runs `work` for one (transfer, role) after every earlier exclusive work for it in this process. */
  exclusive<T>(k: TransferKey, work: () => Promise<T>): Promise<T> {
    const key = `${k.transferId}\n${k.role}`;
    const run = (this.busy.get(key) ?? Promise.resolve()).then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(key, settled);
    void settled.then(() => this.busy.get(key) === settled && this.busy.delete(key));
    return run;
  }

  /** The finalization itself; only inside exclusive() for this record (the caller read it there). */
  async finalizeHeld(record: TransferRecord, request: Pick<FinalizeRequest, 'outcome' | 'manifest'>): Promise<FinalizeResponse> {
    if (record.finalizeResponse) return record.finalizeResponse;
    const plugin = this.plugins.get(record.mechanism);
    if (!plugin) throw new DomainError('INVALID_STATE', `mechanism '${record.mechanism}' is no longer configured at this gateway`);
    if (request.outcome === 'succeeded' && record.role === 'source' && record.phase !== 'completed') {
      throw new DomainError('INVALID_STATE', `transfer ${record.transferId} has not completed at its source (it is ${record.phase})`);
    }
    const t = this.runtime.attach(record);
    if (request.outcome !== 'succeeded' && UNFINISHED.includes(record.phase)) {
      t.stop(`transfer ${request.outcome}`);
      await plugin.cancel(t);
    }
    const result = await plugin.finalize(t, request.outcome, request.manifest);
    const response: FinalizeResponse = {
      ok: result.ok,
      ...(result.mismatches ? { mismatches: result.mismatches } : {}),
      ...(result.message ? { message: result.message } : {}),
    };
    const saved = await this.repo.saveFinalizeResponse(record, request.outcome, response);
    this.runtime.release(record);
    await this.deleteSecretsWhenAllDone(record);
    this.logger.log(`transfer ${record.transferId}/${record.role} finalized (${request.outcome}, ok=${response.ok})`);
    // a concurrent finalize may have stored its answer first: that one stands
    return saved?.finalizeResponse ?? (await this.repo.find(record))?.finalizeResponse ?? response;
  }

  /** Secrets are per plugin, named by transfer: keep them while another side of it is still here. */
  private async deleteSecretsWhenAllDone(record: TransferRecord) {
    const rows = await this.repo.findAll(record.transferId);
    if (rows.every((r) => r.phase === 'finalized' || r.mechanism !== record.mechanism)) {
      await this.plugins.deleteTransferSecrets(record.mechanism, record.transferId);
    }
  }
}
