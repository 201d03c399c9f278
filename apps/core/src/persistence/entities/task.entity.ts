import type { FileManifest, TaskKind, TaskOperation, TaskState, TunnelInfo } from '@ferry/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../bigint.transformer';

export type GatewayRole = 'source' | 'destination';
/** 'succeeded': a tunnel that closed at the end of its lifetime (both gateways finalize it) */
export type CleanupOutcome = 'succeeded' | 'failed' | 'cancelled' | 'expired';

/**
 * The background task of a transfer (same id). Every state change is a conditional UPDATE in
 * TaskRepository, so concurrent actors (API, progress reports, the sweeper, other replicas)
 * cannot both win a transition.
 */
@Entity('tasks')
@Index('tasks_owner_created_idx', ['ownerId', 'createdAt', 'id'])
@Index('tasks_state_idx', ['state'])
export class TaskEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') kind: TaskKind;
  @Column('uuid', { name: 'owner_id' }) ownerId: string;
  @Column('text') state: TaskState;
  @Column('text', { nullable: true }) label: string | null;
  @Column('text', { nullable: true }) mechanism: string | null;
  @Column('text', { name: 'source_provider_id' }) sourceProviderId: string;
  @Column('text', { name: 'destination_provider_id' }) destinationProviderId: string;
  @Column('text', { name: 'source_label' }) sourceLabel: string;
  @Column('text', { name: 'destination_label' }) destinationLabel: string;

  @Column('bigint', { name: 'bytes_done', default: 0, transformer: bigintTransformer }) bytesDone: number;
  @Column('bigint', { name: 'bytes_total', nullable: true, transformer: bigintTransformer }) bytesTotal: number | null;
  @Column('bigint', { name: 'files_done', default: 0, transformer: bigintTransformer }) filesDone: number;
  @Column('bigint', { name: 'files_total', nullable: true, transformer: bigintTransformer }) filesTotal: number | null;
  @Column('double precision', { nullable: true }) rate: number | null;
  @Column('double precision', { nullable: true }) eta: number | null;
  @Column('text', { nullable: true }) message: string | null;
  @Column('bigint', { name: 'last_seq_source', default: 0, transformer: bigintTransformer }) lastSeqSource: number;
  @Column('bigint', { name: 'last_seq_destination', default: 0, transformer: bigintTransformer })
  lastSeqDestination: number;

  /** what the mechanism supports (from the source's prepare answer) */
  @Column('text', { array: true, default: '{}' }) operations: TaskOperation[];
  @Column('jsonb', { nullable: true }) error: { code: string; message: string } | null;
  @Column('jsonb', { nullable: true }) tunnel: TunnelInfo | null;
  /** the source's manifest from its 'completed' report, handed to the destination on finalize */
  @Column('jsonb', { nullable: true }) manifest: FileManifest | null;

  /** short claim on the task by one core process while it talks to gateways (trigger relay, finalize, cleanup) */
  @Column('text', { name: 'lease_owner', nullable: true }) leaseOwner: string | null;
  @Column('timestamp with time zone', { name: 'lease_until', precision: 3, nullable: true }) leaseUntil: Date | null;
  @Column('integer', { name: 'finalize_attempts', default: 0 }) finalizeAttempts: number;
  /** gateways still to be told how the task ended (finalize with this outcome), retried by the sweeper */
  @Column('text', { name: 'cleanup_outcome', nullable: true }) cleanupOutcome: CleanupOutcome | null;
  @Column('text', { name: 'cleanup_roles', array: true, default: '{}' }) cleanupRoles: GatewayRole[];
  @Column('integer', { name: 'cleanup_attempts', default: 0 }) cleanupAttempts: number;
  /** the stale-task check: when the source gateway last answered it, and since when it has not been answering */
  @Column('timestamp with time zone', { name: 'source_checked_at', precision: 3, nullable: true }) sourceCheckedAt: Date | null;
  @Column('timestamp with time zone', { name: 'source_unreachable_since', precision: 3, nullable: true })
  sourceUnreachableSince: Date | null;

  @Column('timestamp with time zone', { name: 'created_at', precision: 3 }) createdAt: Date;
  @Column('timestamp with time zone', { name: 'updated_at', precision: 3 }) updatedAt: Date;
  @Column('timestamp with time zone', { name: 'finished_at', precision: 3, nullable: true }) finishedAt: Date | null;
}
