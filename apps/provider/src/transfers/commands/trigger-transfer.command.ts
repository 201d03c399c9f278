import type { GatewayTriggerRequest } from '@ferry/contracts';

export class TriggerTransferCommand {
  constructor(
    readonly transferId: string,
    readonly request: GatewayTriggerRequest,
  ) {}
}
