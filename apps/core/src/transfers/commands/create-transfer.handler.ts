import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, ErrorCode, normalizeDrivePath, TransferOptions, TransferView } from '@ferry/contracts';
import { isBoxPublicKey } from '@ferry/crypto';
import { randomUUID } from 'node:crypto';
import { auditEntry } from '../../audit/audit-entry.util';
import { CORE_CONFIG, CoreConfig } from '../../config/core-config';
import { CoreInstance } from '../../config/core-instance';
import { DriveAccess } from '../../drives/drive-access.service';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { requestContext } from '../../logging/request-context';
import { TransferRepository } from '../../persistence/repositories';
import { TaskLeases } from '../../tasks/task-leases.service';
import { NegotiationRejected, NegotiationService } from '../negotiation.service';
import { toTransferView } from '../transfer-view.mapper';
import { CreateTransferCommand } from './create-transfer.command';

/**
 * POST /api/transfers: check the request (paths, key), authorize (READ source, WRITE destination,
 * identity at both providers), record the transfer, negotiate with the gateways. The task is leased
 * to this process while it negotiates: if the process dies, another replica's sweeper resumes the
 * negotiation (ResumeNegotiationCommand) once the lease runs out.
 */
@CommandHandler(CreateTransferCommand)
export class CreateTransferHandler implements ICommandHandler<CreateTransferCommand> {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly access: DriveAccess,
    private readonly transfers: TransferRepository,
    private readonly negotiation: NegotiationService,
    private readonly events: TaskEventsPublisher,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
  ) {}

  async execute({ user, request }: CreateTransferCommand): Promise<TransferView> {
    const sourcePath = normalizeDrivePath(request.source.path, 'source path');
    const destinationPath = normalizeDrivePath(request.destination.path, 'destination path');
    if (!isBoxPublicKey(request.userPublicKey)) {
      throw new DomainError('BAD_KEY', 'userPublicKey must be an X25519 public key: 32 bytes of base64');
    }
    const { src, dst, srcIdentity, dstIdentity } = await this.access.authorizeTransfer(user, request.source.driveId, request.destination.driveId);
    // the providers' keys are looked up while the transfer is recorded (they do not depend on it)
    const providers = this.negotiation.resolveProviders(src.providerId, dst.providerId);
    providers.catch(() => undefined); // awaited (and reported) by negotiate(); not if recording fails first

    const o = request.options ?? {};
    const options: TransferOptions = {
      verify: o.verify ?? 'size',
      ...(o.mechanism ? { mechanism: o.mechanism } : {}),
      ...(o.label ? { label: o.label } : {}),
    };
    const id = randomUUID();
    requestContext.setTransferId(id);
    const sourceLabel = `${src.id}:/${sourcePath}`;
    const destinationLabel = `${dst.id}:/${destinationPath}`;
    const audit = auditEntry(user, 'transfer.initiate', {
      taskId: id,
      target: `transfer:${id}`,
      details: { source: sourceLabel, destination: destinationLabel, options },
    });
    const { transfer, task } = await this.transfers.create({
      id,
      ownerId: user.id,
      sourceDriveId: src.id,
      sourcePath,
      sourceProviderId: src.providerId,
      destinationDriveId: dst.id,
      destinationPath,
      destinationProviderId: dst.providerId,
      options,
      userPublicKey: request.userPublicKey,
      triggerDeadlineSeconds: this.config.triggerDeadlineSeconds,
      kind: 'transfer',
      label: options.label ?? null,
      sourceLabel,
      destinationLabel,
      lease: { owner: this.instance.id, ms: this.instance.leaseMs },
    }, audit);
    this.events.changed(task);

    const outcome = await this.leases.hold(transfer.id, () =>
      this.negotiation.negotiate(transfer, {
        source: { identity: srcIdentity, gatewayDrive: src.gatewayDrive },
        destination: { identity: dstIdentity, gatewayDrive: dst.gatewayDrive },
      }, { providers }),
    );
    if (outcome instanceof NegotiationRejected) {
      // the REJECTED transfer stays retrievable under its id (details.transferId)
      throw new DomainError(outcome.code as ErrorCode, `provider ${outcome.providerId} rejected the transfer: ${outcome.reason}`, {
        transferId: transfer.id,
        providerId: outcome.providerId,
        reason: outcome.reason,
      });
    }
    return toTransferView(outcome.transfer, outcome.task);
  }
}
