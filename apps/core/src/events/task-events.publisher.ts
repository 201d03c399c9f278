import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { TaskEntity } from '../persistence/entities';
import { CoreEvent, eventsForTask } from './core.events';

/** Publishes the events that follow a won task write. Only the winner of a transition calls it. */
@Injectable()
export class TaskEventsPublisher {
  constructor(private readonly bus: EventBus<CoreEvent>) {}

  changed(task: TaskEntity | null, opts: { enteredFinalizing?: boolean } = {}): void {
    if (!task) return;
    this.bus.publishAll(eventsForTask(task, opts.enteredFinalizing));
  }
}
