import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { TunnelView } from '@ferry/contracts';
import { TriggerRelay } from '../../transfers/trigger-relay.service';
import { toTunnelView } from '../tunnel-view.mapper';
import { TriggerTunnelCommand } from './trigger-tunnel.command';

/**
 * POST /api/tunnels/{id}/trigger: the same relay as a transfer's (listener first, then initiator).
 * The triggers carry the researcher's tunnel secret inside the sealed payloads; the core sees
 * ciphertext only.
 */
@CommandHandler(TriggerTunnelCommand)
export class TriggerTunnelHandler implements ICommandHandler<TriggerTunnelCommand> {
  constructor(private readonly relay: TriggerRelay) {}

  async execute({ user, tunnelId, request }: TriggerTunnelCommand): Promise<TunnelView> {
    const { transfer, task } = await this.relay.relay(user, tunnelId, request, 'tunnel');
    return toTunnelView(transfer, task);
  }
}
