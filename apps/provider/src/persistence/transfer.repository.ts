import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FileManifest, FinalizeResponse, PrepareResponse, ProgressFigures } from '@ferry/contracts';
import { fromJson, json, toDate, toNumber, toNumberOrNull } from './db-values.util';
import {
  ENDED_PHASES,
  type NewTransfer,
  type StoredPhase,
  type TransferKey,
  type TransferRecord,
  type TransitionChanges,
} from './transfer.record';

/**
 * Every column but `manifest`, for the statements that return records. A completion's manifest is
 * ~40 bytes of jsonb per file (0.4 MB for 10,000 files) and PGlite took 6-15 ms to hand one back;
 * returned by every state change and progress save after completion, it cost the source gateway
 * ~50-100 ms per 10,000-file transfer. Only a completion that may have to be sent again needs it,
 * so only listReportPending reads it.
 */
export const RECORD_COLUMNS = `transfer_id, role, mechanism, phase, outcome, identity, drive, path, options, peer, tunnel,
  user_public_key, request_hash, trigger_deadline, trigger_token_hash, trigger_envelope_hash, prepare_response,
  finalize_response, plugin_state, seq, report_pending, bytes_done, bytes_total, files_done, files_total, rate, eta,
  message, error, created_at, updated_at`;

/**
 * All SQL about the gateway's transfers. State changes are single conditional statements
 * (`UPDATE … WHERE phase IN (…) RETURNING …`): the embedded database has one connection and no
 * concurrent transactions, and a compare-and-set is what makes triggers, controls and plugin
 * callbacks race-free anyway.
 */
@Injectable()
export class TransferRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Claims (transfer, role) in phase 'preparing'; null when it already exists. */
  async insertPreparing(t: NewTransfer): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `INSERT INTO gateway_transfers (transfer_id, role, mechanism, phase, identity, drive, path, options, peer, tunnel,
         user_public_key, request_hash, trigger_deadline)
       VALUES ($1, $2, $3, 'preparing', $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12)
       ON CONFLICT (transfer_id, role) DO NOTHING RETURNING ${RECORD_COLUMNS}`,
      [t.transferId, t.role, t.mechanism, t.identity, t.drive, t.path, json(t.options), json(t.peer), json(t.tunnel),
        t.userPublicKey, t.requestHash, t.triggerDeadline.toISOString()],
    );
    return rows[0] ?? null;
  }

  /** A crashed or concurrent preparation is redone by the next prepare call with these fields. */
  async restartPreparing(t: NewTransfer): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET mechanism = $3, options = $4::jsonb, peer = $5::jsonb, trigger_deadline = $6, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND phase = 'preparing' RETURNING ${RECORD_COLUMNS}`,
      [t.transferId, t.role, t.mechanism, json(t.options), json(t.peer), t.triggerDeadline.toISOString()],
    );
    return rows[0] ?? null;
  }

  async completePreparation(
    k: TransferKey,
    v: { triggerTokenHash: string; response: PrepareResponse; state: Record<string, unknown> },
  ): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET phase = 'prepared', trigger_token_hash = $3, prepare_response = $4::jsonb,
         plugin_state = plugin_state || $5::jsonb, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND phase = 'preparing' RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, v.triggerTokenHash, json(v.response), json(v.state)],
    );
    return rows[0] ?? null;
  }

  /** A preparation the plugin refused leaves nothing behind. */
  async deletePreparing(k: TransferKey): Promise<void> {
    await this.rows(`DELETE FROM gateway_transfers WHERE transfer_id = $1 AND role = $2 AND phase = 'preparing'`, [k.transferId, k.role]);
  }

  async find(k: TransferKey): Promise<TransferRecord | null> {
    const rows = await this.rows(`SELECT ${RECORD_COLUMNS} FROM gateway_transfers WHERE transfer_id = $1 AND role = $2`, [k.transferId, k.role]);
    return rows[0] ?? null;
  }

  /** Both roles when this gateway is source and destination of one transfer; destination first. */
  async findAll(transferId: string): Promise<TransferRecord[]> {
    return this.rows(`SELECT ${RECORD_COLUMNS} FROM gateway_transfers WHERE transfer_id = $1 ORDER BY role`, [transferId]);
  }

  async listInPhases(phases: readonly StoredPhase[]): Promise<TransferRecord[]> {
    return this.rows(`SELECT ${RECORD_COLUMNS} FROM gateway_transfers WHERE phase = ANY($1) ORDER BY created_at`, [phases]);
  }

  async listUntriggeredPast(now: Date): Promise<TransferRecord[]> {
    return this.rows(
      // also those an earlier pass claimed but did not get to finalize (crash, plugin error)
      `SELECT ${RECORD_COLUMNS} FROM gateway_transfers
       WHERE (phase IN ('preparing', 'prepared') AND trigger_deadline < $1)
          OR (phase = 'cancelled' AND outcome = 'expired' AND finalize_response IS NULL)
       ORDER BY trigger_deadline`,
      [now.toISOString()],
    );
  }

  async listNotEnded(mechanism: string): Promise<TransferRecord[]> {
    return this.rows(`SELECT ${RECORD_COLUMNS} FROM gateway_transfers WHERE mechanism = $1 AND NOT (phase = ANY($2)) ORDER BY created_at`, [
      mechanism,
      ENDED_PHASES,
    ]);
  }

  async listReportPending(): Promise<TransferRecord[]> {
    return this.rows(`SELECT ${RECORD_COLUMNS}, manifest FROM gateway_transfers WHERE report_pending ORDER BY updated_at`, []);
  }

  /** Compare-and-set of the phase; null when the transfer was not in one of `from`. */
  async transition(k: TransferKey, from: readonly StoredPhase[], to: StoredPhase, c: TransitionChanges = {}): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET phase = $4,
         outcome = COALESCE($5, outcome),
         error = CASE WHEN $6 THEN $7::jsonb ELSE error END,
         manifest = COALESCE($8::jsonb, manifest),
         finalize_response = COALESCE($9::jsonb, finalize_response),
         updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND phase = ANY($3) RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, from, to, c.outcome ?? null, c.error !== undefined, json(c.error), json(c.manifest), json(c.finalizeResponse)],
    );
    return rows[0] ?? null;
  }

  /** Accepts a trigger once: only a prepared transfer with no accepted envelope yet. */
  async markTriggered(k: TransferKey, envelopeHash: string): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET phase = 'triggered', trigger_envelope_hash = $3, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND phase = 'prepared' AND trigger_envelope_hash IS NULL RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, envelopeHash],
    );
    return rows[0] ?? null;
  }

  /** Undoes markTriggered after a transient plugin failure, so the same trigger can be retried. */
  async unmarkTriggered(k: TransferKey): Promise<void> {
    await this.rows(
      `UPDATE gateway_transfers SET phase = 'prepared', trigger_envelope_hash = NULL, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND phase = 'triggered'`,
      [k.transferId, k.role],
    );
  }

  async mergeState(k: TransferKey, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET plugin_state = plugin_state || $3::jsonb, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, json(patch)],
    );
    if (!rows[0]) throw new Error(`transfer ${k.transferId}/${k.role} is gone`);
    return rows[0].pluginState;
  }

  /** Stores the figures about to be reported and allocates their seq (strictly increasing, persisted). */
  async saveProgress(k: TransferKey, p: ProgressFigures): Promise<number> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET seq = seq + 1, report_pending = true, bytes_done = $3, bytes_total = $4,
         files_done = $5, files_total = $6, rate = $7, eta = $8, message = $9, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, Math.round(p.bytesDone), p.bytesTotal === null ? null : Math.round(p.bytesTotal), Math.round(p.filesDone),
        p.filesTotal === null ? null : Math.round(p.filesTotal), p.rate, p.eta, p.message],
    );
    if (!rows[0]) throw new Error(`transfer ${k.transferId}/${k.role} is gone`);
    return rows[0].seq;
  }

  /** The core has the report with this seq; nothing to resend unless a newer one was saved since. */
  async markReported(k: TransferKey, seq: number): Promise<void> {
    await this.rows(`UPDATE gateway_transfers SET report_pending = false WHERE transfer_id = $1 AND role = $2 AND seq = $3`, [
      k.transferId,
      k.role,
      seq,
    ]);
  }

  async clearReportPending(k: TransferKey): Promise<void> {
    await this.rows(`UPDATE gateway_transfers SET report_pending = false WHERE transfer_id = $1 AND role = $2`, [k.transferId, k.role]);
  }

  async saveFinalizeResponse(k: TransferKey, outcome: string, response: FinalizeResponse): Promise<TransferRecord | null> {
    const rows = await this.rows(
      `UPDATE gateway_transfers SET phase = 'finalized', outcome = $3, finalize_response = $4::jsonb, report_pending = false, updated_at = now()
       WHERE transfer_id = $1 AND role = $2 AND finalize_response IS NULL RETURNING ${RECORD_COLUMNS}`,
      [k.transferId, k.role, outcome, json(response)],
    );
    return rows[0] ?? null;
  }

  private async rows(sql: string, params: unknown[]): Promise<TransferRecord[]> {
    const runner = this.db.createQueryRunner();
    try {
      // the structured result has the same shape on node-postgres and PGlite (plain query() does not for UPDATE)
      const result = await runner.query(sql, params, true);
      return ((result.records ?? []) as Array<Record<string, unknown>>).map(toRecord);
    } finally {
      await runner.release();
    }
  }
}

function toRecord(r: Record<string, unknown>): TransferRecord {
  return {
    transferId: r.transfer_id as string,
    role: r.role as TransferRecord['role'],
    mechanism: r.mechanism as string,
    phase: r.phase as StoredPhase,
    outcome: (r.outcome as TransferRecord['outcome']) ?? null,
    identity: r.identity as string,
    drive: r.drive as string,
    path: r.path as string,
    options: fromJson(r.options),
    peer: fromJson(r.peer),
    tunnel: fromJson(r.tunnel) ?? null,
    userPublicKey: r.user_public_key as string,
    requestHash: r.request_hash as string,
    triggerDeadline: toDate(r.trigger_deadline),
    triggerTokenHash: (r.trigger_token_hash as string | null) ?? null,
    triggerEnvelopeHash: (r.trigger_envelope_hash as string | null) ?? null,
    prepareResponse: fromJson(r.prepare_response) ?? null,
    finalizeResponse: fromJson(r.finalize_response) ?? null,
    pluginState: fromJson(r.plugin_state) ?? {},
    seq: toNumber(r.seq),
    reportPending: r.report_pending === true,
    progress: {
      bytesDone: toNumber(r.bytes_done),
      bytesTotal: toNumberOrNull(r.bytes_total),
      filesDone: toNumber(r.files_done),
      filesTotal: toNumberOrNull(r.files_total),
      rate: toNumberOrNull(r.rate),
      eta: toNumberOrNull(r.eta),
      message: (r.message as string | null) ?? null,
    },
    ...('manifest' in r ? { manifest: fromJson<FileManifest>(r.manifest) ?? null } : {}),
    error: fromJson(r.error) ?? null,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}
