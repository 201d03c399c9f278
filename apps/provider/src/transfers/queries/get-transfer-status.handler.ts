import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, type GatewayTransferStatus } from '@ferry/contracts';
import { TransferRepository } from '../../persistence/transfer.repository';
import { toStatus } from '../transfer-status.util';
import { GetTransferStatusQuery } from './get-transfer-status.query';

/** Without a role: the source side when this gateway holds both (that is where progress is). */
@QueryHandler(GetTransferStatusQuery)
export class GetTransferStatusHandler implements IQueryHandler<GetTransferStatusQuery, GatewayTransferStatus> {
  constructor(private readonly repo: TransferRepository) {}

  async execute({ transferId, role }: GetTransferStatusQuery): Promise<GatewayTransferStatus> {
    const all = await this.repo.findAll(transferId);
    const r = role ? all.find((x) => x.role === role) : (all.find((x) => x.role === 'source') ?? all[0]);
    if (!r) throw new DomainError('NOT_FOUND', `no transfer ${transferId}${role ? ` (${role})` : ''} at this gateway`);
    return toStatus(r);
  }
}
