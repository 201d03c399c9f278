import { Query } from '@nestjs/cqrs';
import type { TransferView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class GetTransferQuery extends Query<TransferView> {
  constructor(
    readonly user: AuthUser,
    readonly transferId: string,
  ) {
    super();
  }
}
