import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's own state: one row per (transfer, role) it takes part in. Both roles of one
 * transfer can live at the same gateway (a copy between two drives of one site), hence the
 * composite key. Secrets are never stored here: only the sha256 of the trigger token and of the
 * accepted trigger envelope, and plugin state that by contract holds no secrets.
 */
export class CreateTransfers1763800000000 implements MigrationInterface {
  name = 'CreateTransfers1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway_transfers (
        transfer_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('source', 'destination')),
        mechanism text NOT NULL,
        phase text NOT NULL,
        outcome text NULL,
        identity text NOT NULL,
        drive text NOT NULL,
        path text NOT NULL,
        options jsonb NOT NULL DEFAULT '{}'::jsonb,
        peer jsonb NOT NULL,
        tunnel jsonb NULL,
        user_public_key text NOT NULL,
        request_hash text NOT NULL,
        trigger_deadline timestamptz NOT NULL,
        trigger_token_hash text NULL,
        trigger_envelope_hash text NULL,
        prepare_response jsonb NULL,
        finalize_response jsonb NULL,
        plugin_state jsonb NOT NULL DEFAULT '{}'::jsonb,
        seq bigint NOT NULL DEFAULT 0,
        report_pending boolean NOT NULL DEFAULT false,
        bytes_done bigint NOT NULL DEFAULT 0,
        bytes_total bigint NULL,
        files_done bigint NOT NULL DEFAULT 0,
        files_total bigint NULL,
        rate double precision NULL,
        eta double precision NULL,
        message text NULL,
        manifest jsonb NULL,
        error jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (transfer_id, role)
      )`);
    // the sweep and the restart scan look transfers up by phase
    await q.query(`CREATE INDEX gateway_transfers_phase_idx ON gateway_transfers (phase, trigger_deadline)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway_transfers`);
  }
}
