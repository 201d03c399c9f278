import { Command } from '@nestjs/cqrs';
import type { CreateTransferRequest, TransferView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class CreateTransferCommand extends Command<TransferView> {
  constructor(
    readonly user: AuthUser,
    readonly request: CreateTransferRequest,
  ) {
    super();
  }
}
