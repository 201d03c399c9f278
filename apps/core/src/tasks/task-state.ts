import type { TaskOperation, TaskState } from '@ferry/contracts';

/**
 * The task state machine in one place (see docs/architecture.md for the diagram). Each constant
 * is the `from` set of a conditional UPDATE in TaskRepository.
 *
 *   NEGOTIATING -> AWAITING_TRIGGER | REJECTED | FAILED
 *   AWAITING_TRIGGER -> STARTING (trigger relayed) | EXPIRED (sweeper) | CANCELLED
 *   STARTING | RUNNING | PAUSED -> RUNNING | PAUSED (reports, pause/resume) | FINALIZING (source completed)
 *                                | FAILED (a gateway failed) | CANCELLED
 *   FINALIZING -> SUCCEEDED | FAILED
 */

/** A trigger may have been accepted by the gateways: the source can report from any of these. */
export const ACTIVE_STATES: readonly TaskState[] = ['AWAITING_TRIGGER', 'STARTING', 'RUNNING', 'PAUSED'];
/** Not ended; gateways' reports are recorded in these. */
export const LIVE_STATES: readonly TaskState[] = ['NEGOTIATING', ...ACTIVE_STATES, 'FINALIZING'];
/**
 * States in which the source gateway should be reporting: a task quiet in one of these for
 * FERRY_STALE_TASK_SECONDS is checked with the source gateway (CheckStaleTaskCommand).
 */
export const STALE_CHECK_STATES: readonly TaskState[] = ['STARTING', 'RUNNING', 'PAUSED'];
/** States in which a gateway failure still fails the task. */
export const FAILABLE_STATES: readonly TaskState[] = [...ACTIVE_STATES, 'FINALIZING'];

/** The states each operation is allowed in (intersected with what the mechanism declares). */
export const OPERATION_STATES: Record<TaskOperation, readonly TaskState[]> = {
  pause: ['STARTING', 'RUNNING'],
  resume: ['PAUSED'],
  cancel: ['AWAITING_TRIGGER', 'STARTING', 'RUNNING', 'PAUSED'],
};

/** What the task page may offer now: the mechanism's operations that the state allows. */
export function allowedOperations(declared: readonly TaskOperation[], state: TaskState): TaskOperation[] {
  return declared.filter((op) => OPERATION_STATES[op]?.includes(state));
}
