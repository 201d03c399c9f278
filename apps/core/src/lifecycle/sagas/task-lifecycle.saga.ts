import { Injectable } from '@nestjs/common';
import { ICommand, IEvent, ofType, Saga } from '@nestjs/cqrs';
import { map, Observable } from 'rxjs';
import { GatewayCleanupDueEvent, SourceCompletedEvent } from '../../events/core.events';
import { CleanupGatewaysCommand } from '../commands/cleanup-gateways.command';
import { FinalizeTransferCommand } from '../commands/finalize-transfer.command';

/**
 * What happens after a task changes, without the actor that changed it waiting: a gateway's
 * progress call returns at once and the core then finalizes (calling that same gateway back).
 * If this process dies before a command runs, the sweeper finds the task and runs it.
 */
@Injectable()
export class TaskLifecycleSaga {
  @Saga()
  sourceCompleted = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(SourceCompletedEvent),
      map((e) => new FinalizeTransferCommand(e.taskId)),
    );

  @Saga()
  cleanupDue = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(GatewayCleanupDueEvent),
      map((e) => new CleanupGatewaysCommand(e.taskId)),
    );
}
