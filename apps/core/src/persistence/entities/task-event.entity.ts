import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../bigint.transformer';

/** One tunnel event a gateway reported (only the latest of each task are kept). */
@Entity('task_events')
@Index('task_events_task_idx', ['taskId', 'id'])
export class TaskEventEntity {
  @PrimaryColumn('bigint', { transformer: bigintTransformer }) id: number;
  @Column('uuid', { name: 'task_id' }) taskId: string;
  @Column('text') side: 'initiator' | 'listener';
  @Column('timestamp with time zone', { precision: 3 }) at: Date;
  @Column('text') type: string;
  @Column('text') message: string;
}
