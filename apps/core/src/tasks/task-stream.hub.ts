import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventsHandler, IEventHandler } from '@nestjs/cqrs';
import type { TaskView } from '@ferry/contracts';
import { filter, map, Observable, Subject } from 'rxjs';
import { TaskChangedEvent } from '../events/core.events';
import { toTaskView } from './task-view.mapper';

/** Fans TaskChangedEvents out to the open event streams, each seeing only its owner's tasks. */
@Injectable()
@EventsHandler(TaskChangedEvent)
export class TaskStreamHub implements IEventHandler<TaskChangedEvent>, OnModuleDestroy {
  private readonly changes$ = new Subject<TaskChangedEvent>();

  handle(event: TaskChangedEvent): void {
    this.changes$.next(event);
  }

  forOwner(ownerId: string): Observable<TaskView> {
    return this.changes$.pipe(
      filter((e) => e.task.ownerId === ownerId),
      map((e) => toTaskView(e.task)),
    );
  }

  onModuleDestroy(): void {
    this.changes$.complete();
  }
}
