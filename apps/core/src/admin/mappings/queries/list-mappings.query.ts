import { Query } from '@nestjs/cqrs';
import type { IdentityMappingView } from '@ferry/contracts';

export class ListMappingsQuery extends Query<IdentityMappingView[]> {
  constructor(readonly filter: { user?: string; provider?: string }) {
    super();
  }
}
