import type { FinalizeRequest } from '@ferry/contracts';

export class FinalizeTransferCommand {
  constructor(
    readonly transferId: string,
    readonly request: FinalizeRequest & { role?: 'source' | 'destination' },
  ) {}
}
