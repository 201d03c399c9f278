import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { TransferView } from '@ferry/contracts';
import { toTransferView } from '../transfer-view.mapper';
import { TriggerRelay } from '../trigger-relay.service';
import { TriggerTransferCommand } from './trigger-transfer.command';

/** POST /api/transfers/{id}/trigger: the shared relay (TriggerRelay), answered as a TransferView. */
@CommandHandler(TriggerTransferCommand)
export class TriggerTransferHandler implements ICommandHandler<TriggerTransferCommand> {
  constructor(private readonly relay: TriggerRelay) {}

  async execute({ user, transferId, request }: TriggerTransferCommand): Promise<TransferView> {
    const { transfer, task } = await this.relay.relay(user, transferId, request, 'transfer');
    return toTransferView(transfer, task);
  }
}
