import { Query } from '@nestjs/cqrs';
import type { AclEntryView } from '@ferry/contracts';

export class ListAclQuery extends Query<AclEntryView[]> {
  constructor(readonly drive?: string) {
    super();
  }
}
