import type { ControlRequest, TransferRole } from '@ferry/contracts';

export class ControlTransferCommand {
  constructor(
    readonly transferId: string,
    readonly action: ControlRequest['action'],
    /** which side when this gateway holds both; default: pause/resume the source, cancel both */
    readonly role?: TransferRole,
  ) {}
}
