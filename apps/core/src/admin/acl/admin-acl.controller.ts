import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AclEntryView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { ChangeAclCommand } from './commands/change-acl.command';
import { aclChangeSchema, listAclSchema } from './dto/acl-input.schema';
import { ListAclQuery } from './queries/list-acl.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/acl')
export class AdminAclController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'ACL entries (?drive=)' })
  list(@Query() query: unknown): Promise<AclEntryView[]> {
    return this.queries.execute(new ListAclQuery(parseInput(listAclSchema, query, 'query').drive));
  }

  @Post('grant')
  @HttpCode(200)
  @ApiOperation({ summary: 'Grant {drive, user|project, permissions[]}; answers with the drive’s ACL' })
  grant(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AclEntryView[]> {
    return this.commands.execute(new ChangeAclCommand(actor, 'grant', parseInput(aclChangeSchema, body, 'body')));
  }

  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke {drive, user|project, permissions[]}; answers with the drive’s ACL' })
  revoke(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AclEntryView[]> {
    return this.commands.execute(new ChangeAclCommand(actor, 'revoke', parseInput(aclChangeSchema, body, 'body')));
  }
}
