import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuditAction } from '@ferry/contracts';
import { bigintTransformer } from '../bigint.transformer';

/** Who did what, when (written by the repositories in the same statement as the change). */
@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryColumn('bigint', { transformer: bigintTransformer }) id: number;
  @Column('timestamp with time zone', { precision: 3 }) at: Date;
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId: string | null;
  @Column('text') action: AuditAction;
  @Column('uuid', { name: 'task_id', nullable: true }) taskId: string | null;
  @Column('text', { nullable: true }) target: string | null;
  @Column('jsonb') details: Record<string, unknown>;
  @Column('text', { name: 'request_id', nullable: true }) requestId: string | null;
}
