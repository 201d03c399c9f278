import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, ErrorCode, TransferOptions, TunnelView } from '@ferry/contracts';
import { isBoxPublicKey } from '@ferry/crypto';
import { randomUUID } from 'node:crypto';
import { auditEntry } from '../../audit/audit-entry.util';
import { CORE_CONFIG, CoreConfig } from '../../config/core-config';
import { DriveAccess } from '../../drives/drive-access.service';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { requestContext } from '../../logging/request-context';
import type { TunnelRecord } from '../../persistence/entities';
import { ProviderRepository, TransferRepository } from '../../persistence/repositories';
import { NegotiationRejected, NegotiationService } from '../../transfers/negotiation.service';
import { toTunnelView, TUNNEL_MECHANISM } from '../tunnel-view.mapper';
import { CreateTunnelCommand } from './create-tunnel.command';

/**
 * POST /api/tunnels: check the request (key, two different providers that exist), authorize (an
 * identity at both providers), record the tunnel (a transfers row with its tunnel record, task kind
 * 'tunnel') and negotiate exactly like a transfer: the initiator prepares as source with mechanism
 * stream-tunnel, the listener as destination. Whether the target is allowed is the listener's
 * gateway's decision: a refusal ends the task REJECTED and answers 422 with its reason.
 */
@CommandHandler(CreateTunnelCommand)
export class CreateTunnelHandler implements ICommandHandler<CreateTunnelCommand> {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly access: DriveAccess,
    private readonly providers: ProviderRepository,
    private readonly transfers: TransferRepository,
    private readonly negotiation: NegotiationService,
    private readonly events: TaskEventsPublisher,
  ) {}

  async execute({ user, request: r }: CreateTunnelCommand): Promise<TunnelView> {
    if (!isBoxPublicKey(r.userPublicKey)) {
      throw new DomainError('BAD_KEY', 'userPublicKey must be an X25519 public key: 32 bytes of base64');
    }
    if (r.initiator.providerId === r.listener.providerId) {
      throw new DomainError('VALIDATION_FAILED', 'a tunnel joins two providers: initiator and listener must be at different providers');
    }
    for (const end of [r.initiator, r.listener]) {
      if (!(await this.providers.find(end.providerId))) throw new DomainError('NOT_FOUND', `unknown provider ${end.providerId}`);
    }
    const initiatorIdentity = await this.access.identityAt(user, r.initiator.providerId);
    const listenerIdentity = await this.access.identityAt(user, r.listener.providerId);

    const options: TransferOptions = { mechanism: TUNNEL_MECHANISM, ...(r.label ? { label: r.label } : {}) };
    const tunnel: TunnelRecord = {
      initiator: { providerId: r.initiator.providerId, accessPoint: r.initiator.accessPoint },
      listener: { providerId: r.listener.providerId, accessPoint: r.listener.accessPoint },
      target: r.target,
      lifetimeMinutes: r.lifetimeMinutes,
    };
    const id = randomUUID();
    requestContext.setTransferId(id);
    const sourceLabel = `${r.initiator.accessPoint}@${r.initiator.providerId}`;
    const destinationLabel = `${r.target} via ${r.listener.accessPoint}@${r.listener.providerId}`;
    const audit = auditEntry(user, 'transfer.initiate', {
      taskId: id,
      target: `tunnel:${id}`,
      details: { kind: 'tunnel', initiator: sourceLabel, listener: destinationLabel, lifetimeMinutes: r.lifetimeMinutes },
    });
    const { transfer, task } = await this.transfers.create(
      {
        id,
        ownerId: user.id,
        // a tunnel moves no files: no drives, no paths
        sourceDriveId: '',
        sourcePath: '',
        sourceProviderId: r.initiator.providerId,
        destinationDriveId: '',
        destinationPath: '',
        destinationProviderId: r.listener.providerId,
        options,
        userPublicKey: r.userPublicKey,
        triggerDeadlineSeconds: this.config.triggerDeadlineSeconds,
        kind: 'tunnel',
        label: r.label ?? null,
        sourceLabel,
        destinationLabel,
        tunnel,
      },
      audit,
    );
    this.events.changed(task);

    const outcome = await this.negotiation.negotiate(transfer, {
      source: { identity: initiatorIdentity, gatewayDrive: '' },
      destination: { identity: listenerIdentity, gatewayDrive: '' },
    });
    if (outcome instanceof NegotiationRejected) {
      // the REJECTED tunnel stays readable under its id (details.tunnelId)
      throw new DomainError(outcome.code as ErrorCode, `provider ${outcome.providerId} rejected the tunnel: ${outcome.reason}`, {
        tunnelId: transfer.id,
        providerId: outcome.providerId,
        reason: outcome.reason,
      });
    }
    return toTunnelView(outcome.transfer, outcome.task);
  }
}
