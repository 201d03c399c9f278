import type { ProgressReport, TaskKind, TaskState } from '@ferry/contracts';
import type { GatewayRole } from '../persistence/entities';
import type { TaskPatch } from '../persistence/repositories';
import { ACTIVE_STATES, FAILABLE_STATES, LIVE_STATES } from '../tasks/task-state';

/** What one progress report does to a task: allowed current states, the new state (null: keep), columns. */
export interface ReportPlan {
  from: readonly TaskState[];
  to: TaskState | null;
  patch: TaskPatch;
}

const BOTH: GatewayRole[] = ['destination', 'source'];

/**
 * The source's figures become the task's progress; its phase drives the state. A failure on either
 * side fails the task and queues both gateways for finalize 'failed'. The source's 'completed'
 * starts finalization. Reports may arrive before the core has recorded the trigger (a fast source),
 * so AWAITING_TRIGGER is among the states a report can move on from.
 */
export function planReport(kind: TaskKind, role: GatewayRole, r: ProgressReport): ReportPlan {
  const patch: TaskPatch = {};
  if (role === 'source') {
    Object.assign(patch, {
      bytesDone: Math.floor(r.progress.bytesDone),
      bytesTotal: r.progress.bytesTotal === null ? null : Math.floor(r.progress.bytesTotal),
      filesDone: Math.floor(r.progress.filesDone),
      filesTotal: r.progress.filesTotal === null ? null : Math.floor(r.progress.filesTotal),
      rate: r.progress.rate,
      eta: r.progress.eta,
      message: r.progress.message,
    });
    if (r.tunnel) patch.tunnel = r.tunnel;
  }
  switch (r.phase) {
    case 'failed':
      return {
        from: FAILABLE_STATES,
        to: 'FAILED',
        patch: {
          ...patch,
          error: r.error ?? { code: 'TRANSFER_FAILED', message: `the ${role} gateway reported a failure` },
          cleanupOutcome: 'failed',
          cleanupRoles: BOTH,
        },
      };
    case 'cancelled':
      return {
        from: ACTIVE_STATES,
        to: kind === 'tunnel' ? 'CLOSED' : 'CANCELLED',
        patch: { ...patch, cleanupOutcome: 'cancelled', cleanupRoles: BOTH },
      };
    case 'completed':
      if (role !== 'source') return { from: LIVE_STATES, to: null, patch };
      // a tunnel's initiator completes at the end of its lifetime: CLOSED, and both gateways finalize it
      if (kind === 'tunnel') return { from: ACTIVE_STATES, to: 'CLOSED', patch: { ...patch, cleanupOutcome: 'succeeded', cleanupRoles: BOTH } };
      return { from: ACTIVE_STATES, to: 'FINALIZING', patch: { ...patch, manifest: r.manifest ?? null } };
    case 'running':
      return role === 'source' ? { from: ACTIVE_STATES, to: 'RUNNING', patch } : { from: LIVE_STATES, to: null, patch };
    case 'paused':
      return role === 'source' ? { from: ACTIVE_STATES, to: 'PAUSED', patch } : { from: LIVE_STATES, to: null, patch };
    default:
      // prepared, triggered, finalized: figures and seq only
      return { from: LIVE_STATES, to: null, patch };
  }
}

/** Phases that prove the gateway accepted a trigger. */
export const TRIGGERED_PHASES = new Set(['triggered', 'running', 'paused', 'completed']);
