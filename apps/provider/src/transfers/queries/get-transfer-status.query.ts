import type { TransferRole } from '@ferry/contracts';

export class GetTransferStatusQuery {
  constructor(
    readonly transferId: string,
    readonly role?: TransferRole,
  ) {}
}
