import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operations: the audit log, disabled users, and token ids (so tokens can be listed and revoked by an
 * id that is neither the token nor its hash). Existing tokens get an id here too.
 */
export class Operations1767100000000 implements MigrationInterface {
  name = 'Operations1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE api_tokens ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`CREATE UNIQUE INDEX api_tokens_id_idx ON api_tokens (id)`);
    await q.query(`ALTER TABLE api_tokens ADD COLUMN revoked_at timestamptz(3)`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz(3) NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users(id) ON DELETE SET NULL,
        action text NOT NULL,
        task_id uuid,
        target text,
        details jsonb NOT NULL DEFAULT '{}',
        request_id text
      )`);
    // keyset paging is over id (newest first); each filter has an index that keeps that order
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC)`);
    await q.query(`CREATE INDEX audit_log_task_idx ON audit_log (task_id, id DESC) WHERE task_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC)`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_log`);
    await q.query(`DROP INDEX IF EXISTS api_tokens_id_idx`);
    await q.query(`ALTER TABLE api_tokens DROP COLUMN IF EXISTS revoked_at`);
    await q.query(`ALTER TABLE api_tokens DROP COLUMN IF EXISTS id`);
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS disabled`);
  }
}
