import { Command } from '@nestjs/cqrs';
import type { TransferView, TriggerRequest } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class TriggerTransferCommand extends Command<TransferView> {
  constructor(
    readonly user: AuthUser,
    readonly transferId: string,
    readonly request: TriggerRequest,
  ) {
    super();
  }
}
