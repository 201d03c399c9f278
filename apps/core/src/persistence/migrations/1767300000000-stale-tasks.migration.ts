import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stale tasks: when the core last had an answer from a task's source gateway to a status check, and
 * since when that gateway has not been answering (null while it answers). A task that has had no
 * report for FERRY_STALE_TASK_SECONDS is checked at most once per that period.
 */
export class StaleTasks1767300000000 implements MigrationInterface {
  name = 'StaleTasks1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN source_checked_at timestamptz(3)`);
    await q.query(`ALTER TABLE tasks ADD COLUMN source_unreachable_since timestamptz(3)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS source_unreachable_since`);
    await q.query(`ALTER TABLE tasks DROP COLUMN IF EXISTS source_checked_at`);
  }
}
