import { END_STATES } from '@ferry/contracts';
import type { TaskEntity } from '../persistence/entities';

/**
 * Every domain event of the core, one class each, and the map of them all (like immich's
 * EventMap), so publishers and handlers agree on names and payloads at compile time.
 */

/** A task's state or progress changed (fans out to the owner's event streams). */
export class TaskChangedEvent {
  constructor(readonly task: TaskEntity) {}
}

/** The source reported completion and the task entered FINALIZING: verify and finalize. */
export class SourceCompletedEvent {
  constructor(readonly taskId: string) {}
}

/** The task ended with gateways still to be told (finalize failed/cancelled/expired). */
export class GatewayCleanupDueEvent {
  constructor(readonly taskId: string) {}
}

export interface CoreEventMap {
  'task.changed': TaskChangedEvent;
  'transfer.source-completed': SourceCompletedEvent;
  'task.gateway-cleanup-due': GatewayCleanupDueEvent;
}
export type CoreEvent = CoreEventMap[keyof CoreEventMap];

/** The events that follow from a task row some actor just won a write on. */
export function eventsForTask(task: TaskEntity, enteredFinalizing = false): CoreEvent[] {
  const events: CoreEvent[] = [new TaskChangedEvent(task)];
  if (enteredFinalizing && task.state === 'FINALIZING') events.push(new SourceCompletedEvent(task.id));
  if (END_STATES.includes(task.state) && task.cleanupOutcome) events.push(new GatewayCleanupDueEvent(task.id));
  return events;
}
