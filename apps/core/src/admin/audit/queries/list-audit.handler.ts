import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AuditEntryView, Page } from '@ferry/contracts';
import { AuditRepository } from '../../../persistence/repositories';
import { toAuditView } from '../../admin-view.mapper';
import { decodeAuditCursor, encodeAuditCursor } from '../audit-cursor.util';
import { ListAuditQuery } from './list-audit.query';

/** The audit log, newest first, filtered, keyset-paged (one row more than asked tells whether there is a next page). */
@QueryHandler(ListAuditQuery)
export class ListAuditHandler implements IQueryHandler<ListAuditQuery> {
  constructor(private readonly audit: AuditRepository) {}

  async execute({ filter }: ListAuditQuery): Promise<Page<AuditEntryView>> {
    const rows = await this.audit.page({
      actorName: filter.user,
      taskId: filter.task,
      action: filter.action,
      since: filter.since,
      limit: filter.limit + 1,
      beforeId: filter.cursor ? decodeAuditCursor(filter.cursor) : undefined,
    });
    const items = rows.slice(0, filter.limit);
    const more = rows.length > filter.limit;
    return { items: items.map(toAuditView), nextCursor: more ? encodeAuditCursor(items[items.length - 1].id) : null };
  }
}
