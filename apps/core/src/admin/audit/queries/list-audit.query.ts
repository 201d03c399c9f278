import { Query } from '@nestjs/cqrs';
import type { AuditEntryView, Page } from '@ferry/contracts';
import type { AuditQueryInput } from '../dto/audit-query.schema';

export class ListAuditQuery extends Query<Page<AuditEntryView>> {
  constructor(readonly filter: AuditQueryInput) {
    super();
  }
}
