import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminProviderView, ProviderRefreshView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { ChangeProviderKeysCommand } from './commands/change-provider-keys.command';
import { RefreshProviderKeysCommand } from './commands/refresh-provider-keys.command';
import { RegisterProviderCommand } from './commands/register-provider.command';
import { UpdateProviderCommand } from './commands/update-provider.command';
import { pinKeysSchema, refreshSchema, registerProviderSchema, updateProviderSchema } from './dto/provider-input.schema';
import { ListAdminProvidersQuery } from './queries/list-admin-providers.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/providers')
export class AdminProvidersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Providers with pinning state and fetch time' })
  list(): Promise<AdminProviderView[]> {
    return this.queries.execute(new ListAdminProvidersQuery());
  }

  @Post()
  @ApiOperation({ summary: 'Register {id, name, url, signPublicKey?, boxPublicKey?}' })
  register(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<AdminProviderView> {
    return this.commands.execute(new RegisterProviderCommand(actor, parseInput(registerProviderSchema, body, 'body')));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change {name?, url?}' })
  update(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<AdminProviderView> {
    return this.commands.execute(new UpdateProviderCommand(actor, id, parseInput(updateProviderSchema, body, 'body')));
  }

  @Put(':id/keys')
  @ApiOperation({ summary: 'Pin {signPublicKey, boxPublicKey}' })
  pin(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<AdminProviderView> {
    return this.commands.execute(new ChangeProviderKeysCommand(actor, id, parseInput(pinKeysSchema, body, 'body')));
  }

  @Delete(':id/keys')
  @ApiOperation({ summary: 'Unpin: keys are fetched from the gateway again' })
  unpin(@CurrentUser() actor: AuthUser, @Param('id') id: string): Promise<AdminProviderView> {
    return this.commands.execute(new ChangeProviderKeysCommand(actor, id, null));
  }

  @Post(':id/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fetch /.well-known/ferry-provider now {pin?}' })
  refresh(@CurrentUser() actor: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<ProviderRefreshView> {
    return this.commands.execute(new RefreshProviderKeysCommand(actor, id, parseInput(refreshSchema, body, 'body').pin));
  }
}
