import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminTokenView, CreatedTokenView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../../auth/auth.decorators';
import { uuidPipe } from '../../common/uuid.pipe';
import { AdminGuard } from '../admin.guard';
import { parseInput } from '../admin-input.util';
import { CreateTokenCommand } from './commands/create-token.command';
import { RevokeTokenCommand } from './commands/revoke-token.command';
import { createTokenSchema, listTokensSchema } from './dto/token-input.schema';
import { ListTokensQuery } from './queries/list-tokens.query';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('api/admin/tokens')
export class AdminTokensController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Tokens (?user=), never the secret' })
  list(@Query() query: unknown): Promise<AdminTokenView[]> {
    return this.queries.execute(new ListTokensQuery(parseInput(listTokensSchema, query, 'query').user));
  }

  @Post()
  @ApiOperation({ summary: 'Create a token {user, label?}: the answer shows it once' })
  create(@CurrentUser() actor: AuthUser, @Body() body: unknown): Promise<CreatedTokenView> {
    return this.commands.execute(new CreateTokenCommand(actor, parseInput(createTokenSchema, body, 'body')));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token by id' })
  revoke(@CurrentUser() actor: AuthUser, @Param('id', uuidPipe) id: string): Promise<AdminTokenView> {
    return this.commands.execute(new RevokeTokenCommand(actor, id));
  }
}
