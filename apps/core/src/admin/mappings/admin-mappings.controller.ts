import { Body, Controller, Delete, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { IdentityMappingView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { RemoveMappingCommand } from './commands/remove-mapping.command';
import { SetMappingCommand } from './commands/set-mapping.command';
import { listMappingsSchema, setMappingSchema } from './dto/mapping-input.schema';
import { ListMappingsQuery } from './queries/list-mappings.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/mappings')
export class AdminMappingsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Identity mappings (?user=&provider=)' })
  list(@Query() query: unknown): Promise<IdentityMappingView[]> {
    return this.queries.execute(new ListMappingsQuery(parseInput(listMappingsSchema, query, 'query')));
  }

  @Put()
  @ApiOperation({ summary: 'Set {user, provider, identity}' })
  set(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<IdentityMappingView> {
    return this.commands.execute(new SetMappingCommand(actor, parseInput(setMappingSchema, body, 'body')));
  }

  @Delete(':user/:provider')
  @ApiOperation({ summary: 'Remove a user’s mapping at a provider' })
  remove(@CurrentUser() actor: AuthUser, @Param('user') user: string, @Param('provider') provider: string) {
    return this.commands.execute(new RemoveMappingCommand(actor, user, provider));
  }
}
