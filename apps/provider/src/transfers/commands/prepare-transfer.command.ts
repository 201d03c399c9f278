import type { PrepareRequest } from '@ferry/contracts';

export class PrepareTransferCommand {
  constructor(readonly request: PrepareRequest) {}
}
