import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuditEntryView, Page } from '@ferry/contracts';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { auditQuerySchema } from './dto/audit-query.schema';
import { ListAuditQuery } from './queries/list-audit.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/audit')
export class AdminAuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Audit log, newest first (?user=&task=&action=&since=&limit=&cursor=)' })
  list(@Query() query: unknown): Promise<Page<AuditEntryView>> {
    return this.queries.execute(new ListAuditQuery(parseInput(auditQuerySchema, query, 'query')));
  }
}
