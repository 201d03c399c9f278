import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CoreInstance } from '../../config/core-instance';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import type { TransferEntity } from '../../persistence/entities';
import { DriveRepository, IdentityMappingRepository, TaskRepository, TransferRepository } from '../../persistence/repositories';
import { TaskLeases } from '../../tasks/task-leases.service';
import { NegotiationRejected, NegotiationService, NegotiationSides } from '../negotiation.service';
import { ResumeNegotiationCommand } from './resume-negotiation.command';

/**
 * Finishes a negotiation a dead core process left NEGOTIATING: the same prepare calls again, which
 * gateways answer from what they stored (prepare is idempotent by transfer and role), so the offers
 * are the ones the gateways made the first time. The task then waits for the researcher's trigger
 * (GET /api/tasks shows it, GET /api/transfers/{id} its offers) or ends REJECTED/FAILED, with the
 * gateways told. Authorization was checked when the transfer was created and is not repeated; the
 * identities and gateway drives are read again, as they are now.
 */
@CommandHandler(ResumeNegotiationCommand)
export class ResumeNegotiationHandler implements ICommandHandler<ResumeNegotiationCommand> {
  private readonly logger = new Logger('Negotiation');

  constructor(
    private readonly transfers: TransferRepository,
    private readonly tasks: TaskRepository,
    private readonly drives: DriveRepository,
    private readonly identities: IdentityMappingRepository,
    private readonly negotiation: NegotiationService,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
    private readonly events: TaskEventsPublisher,
  ) {}

  async execute({ claimed }: ResumeNegotiationCommand): Promise<void> {
    const x = await this.transfers.find(claimed.id);
    if (!x) return;
    this.logger.warn(`transfer ${x.id}: resuming a negotiation another core process left unfinished`);
    try {
      const sides = await this.sides(x);
      if (typeof sides === 'string') {
        const task = await this.transfers.endNegotiation(x.id, 'FAILED', { code: 'NOT_FOUND', message: sides }, null, ['source', 'destination']);
        this.events.changed(task);
        return;
      }
      const outcome = await this.leases.hold(x.id, () => this.negotiation.negotiate(x, sides, { resumed: true }));
      const state = outcome.task.state;
      this.logger.log(`transfer ${x.id}: negotiation resumed, now ${state}`);
    } catch (e) {
      // negotiate() has already ended the task FAILED and queued the gateways to be told
      this.logger.warn(`transfer ${x.id}: resumed negotiation failed: ${(e as Error).message}`);
    } finally {
      // the end of a negotiation drops the lease; this covers a database error on the way
      await this.tasks.release(x.id, this.instance.id).catch(() => undefined);
    }
  }

  /** Where each side lives at its gateway now, or why it cannot be negotiated any more. */
  private async sides(x: TransferEntity): Promise<NegotiationSides | string> {
    const src = await this.drives.find(x.sourceDriveId);
    const dst = await this.drives.find(x.destinationDriveId);
    if (src?.providerId !== x.sourceProviderId) return `drive ${x.sourceDriveId} is no longer served by provider ${x.sourceProviderId}`;
    if (dst?.providerId !== x.destinationProviderId) return `drive ${x.destinationDriveId} is no longer served by provider ${x.destinationProviderId}`;
    const srcIdentity = await this.identities.find(x.ownerId, x.sourceProviderId);
    const dstIdentity = await this.identities.find(x.ownerId, x.destinationProviderId);
    if (!srcIdentity || !dstIdentity) {
      return `the owner no longer has an identity mapped at provider ${!srcIdentity ? x.sourceProviderId : x.destinationProviderId}`;
    }
    return {
      source: { identity: srcIdentity, gatewayDrive: src.gatewayDrive },
      destination: { identity: dstIdentity, gatewayDrive: dst.gatewayDrive },
    };
  }
}
