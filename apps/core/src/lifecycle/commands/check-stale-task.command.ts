import { Command } from '@nestjs/cqrs';
import type { TaskEntity } from '../../persistence/entities';

/**
 * Ask the source gateway about a task that has had no report for FERRY_STALE_TASK_SECONDS, and fail
 * it if that gateway has lost it, says it failed, or has not answered for FERRY_SOURCE_UNREACHABLE_SECONDS.
 * The sweeper claims the task (lease) before dispatching this.
 */
export class CheckStaleTaskCommand extends Command<StaleCheckResult> {
  constructor(readonly claimed: TaskEntity) {
    super();
  }
}

/** What the check did: the task was brought up to date (or left as it was), or failed, or the gateway did not answer. */
export type StaleCheckResult = 'refreshed' | 'failed' | 'unreachable';
