import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';
import { TaskEventEntity } from '../entities';

/** How many events the core keeps per task (older ones are deleted as new ones arrive). */
export const TASK_EVENTS_KEPT = 200;

export interface NewTaskEvent {
  side: 'initiator' | 'listener';
  at: Date;
  type: string;
  message: string;
}

/** Tunnel events reported by the gateways, the latest TASK_EVENTS_KEPT per task. */
@Injectable()
export class TaskEventRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends events and trims the task's oldest beyond `keep`, in one statement (the trim sees the
   * rows before the insert, so it keeps `keep - events.length` old ones plus the new ones).
   */
  async append(taskId: string, events: NewTaskEvent[], keep = TASK_EVENTS_KEPT): Promise<void> {
    if (events.length === 0) return;
    const fresh = events.slice(-keep);
    await this.db.rows(
      `WITH ins AS (
         INSERT INTO task_events (task_id, side, at, type, message)
         SELECT $1, e.side, e.at, e.type, e.message
           FROM jsonb_to_recordset($2::jsonb) AS e(side text, at timestamptz, type text, message text)
         RETURNING id),
       old AS (
         DELETE FROM task_events WHERE id IN (
           SELECT id FROM task_events WHERE task_id = $1 ORDER BY id DESC OFFSET GREATEST($3::int - $4::int, 0))
         RETURNING id)
       SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT count(*) FROM old) AS deleted`,
      [taskId, JSON.stringify(fresh.map((e) => ({ ...e, at: e.at.toISOString() }))), keep, fresh.length],
    );
  }

  /** The task's kept events, oldest first. */
  list(taskId: string): Promise<TaskEventEntity[]> {
    return this.db.entities(TaskEventEntity, `SELECT * FROM task_events WHERE task_id = $1 ORDER BY id`, [taskId]);
  }
}
