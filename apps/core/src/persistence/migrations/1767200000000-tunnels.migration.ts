import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stream tunnels: a tunnel is a transfer row (kind 'tunnel' on its task) whose `tunnel` column holds
 * both access points, the target and the lifetime (drive columns are ''), plus the tunnel events the
 * gateways report (listening, connections opened/closed/refused, stopped). Only the latest events of
 * each task are kept (TaskEventRepository trims on insert).
 */
export class Tunnels1767200000000 implements MigrationInterface {
  name = 'Tunnels1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfers ADD COLUMN tunnel jsonb`);
    await q.query(`
      CREATE TABLE task_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id uuid NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        side text NOT NULL CHECK (side IN ('initiator', 'listener')),
        at timestamptz(3) NOT NULL,
        type text NOT NULL,
        message text NOT NULL
      )`);
    await q.query(`CREATE INDEX task_events_task_idx ON task_events (task_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS task_events`);
    await q.query(`ALTER TABLE transfers DROP COLUMN IF EXISTS tunnel`);
  }
}
