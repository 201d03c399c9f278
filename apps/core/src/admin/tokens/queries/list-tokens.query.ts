import { Query } from '@nestjs/cqrs';
import type { AdminTokenView } from '@ferry/contracts';

export class ListTokensQuery extends Query<AdminTokenView[]> {
  constructor(readonly user?: string) {
    super();
  }
}
