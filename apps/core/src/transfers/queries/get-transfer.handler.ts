import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, TransferView } from '@ferry/contracts';
import { TaskRepository, TransferRepository } from '../../persistence/repositories';
import { toTransferView } from '../transfer-view.mapper';
import { GetTransferQuery } from './get-transfer.query';

@QueryHandler(GetTransferQuery)
export class GetTransferHandler implements IQueryHandler<GetTransferQuery> {
  constructor(
    private readonly transfers: TransferRepository,
    private readonly tasks: TaskRepository,
  ) {}

  async execute({ user, transferId }: GetTransferQuery): Promise<TransferView> {
    const task = await this.tasks.findOwned(transferId, user.id);
    // a tunnel is read at /api/tunnels/{id}
    const x = task?.kind === 'transfer' ? await this.transfers.find(transferId) : null;
    if (!task || !x) throw new DomainError('NOT_FOUND', `no transfer ${transferId}`);
    return toTransferView(x, task);
  }
}
