import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type FinalizeResponse } from '@ferry/contracts';
import { TransferRepository } from '../../persistence/transfer.repository';
import { TransferFinalizer } from '../../lifecycle/transfer-finalizer.service';
import { FinalizeTransferCommand } from './finalize-transfer.command';

/**
 * finalize from the core. Without a role, every side held here is finalized, destination first
 * (it verifies before the source lets go), and the destination's answer is returned.
 */
@CommandHandler(FinalizeTransferCommand)
export class FinalizeTransferHandler implements ICommandHandler<FinalizeTransferCommand, FinalizeResponse> {
  constructor(
    private readonly repo: TransferRepository,
    private readonly finalizer: TransferFinalizer,
  ) {}

  async execute({ transferId, request }: FinalizeTransferCommand): Promise<FinalizeResponse> {
    const all = await this.repo.findAll(transferId);
    const targets = request.role ? all.filter((r) => r.role === request.role) : all;
    if (targets.length === 0) throw new DomainError('NOT_FOUND', `no transfer ${transferId} at this gateway`);
    let answer: FinalizeResponse | null = null;
    for (const r of targets) {
      const res = await this.finalizer.finalize(r, request);
      if (answer === null || r.role === 'destination') answer = res;
    }
    return answer!;
  }
}
