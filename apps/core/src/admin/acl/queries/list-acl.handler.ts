import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AclEntryView, DomainError } from '@ferry/contracts';
import { DriveRepository } from '../../../persistence/repositories';
import { toAclView } from '../../admin-view.mapper';
import { ListAclQuery } from './list-acl.query';

@QueryHandler(ListAclQuery)
export class ListAclHandler implements IQueryHandler<ListAclQuery> {
  constructor(private readonly drives: DriveRepository) {}

  async execute({ drive }: ListAclQuery): Promise<AclEntryView[]> {
    if (drive && !(await this.drives.find(drive))) throw new DomainError('NOT_FOUND', `no drive ${drive}`);
    return (await this.drives.listAcl(drive)).map(toAclView);
  }
}
