import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page, TaskState, TunnelView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { uuidPipe } from '../common/uuid.pipe';
import { TriggerTransferDto } from '../transfers/dto/trigger-transfer.dto';
import { CreateTunnelCommand } from './commands/create-tunnel.command';
import { TriggerTunnelCommand } from './commands/trigger-tunnel.command';
import { CreateTunnelDto } from './dto/create-tunnel.dto';
import { ListTunnelsDto } from './dto/list-tunnels.dto';
import { GetTunnelQuery } from './queries/get-tunnel.query';
import { ListTunnelsQuery } from './queries/list-tunnels.query';

@ApiTags('tunnels')
@ApiBearerAuth()
@Controller('api/tunnels')
export class TunnelController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Authorize and negotiate a stream tunnel; answers with both gateways’ sealed offers' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateTunnelDto): Promise<TunnelView> {
    return this.commands.execute(new CreateTunnelCommand(user, body));
  }

  @Get()
  @ApiOperation({ summary: 'Your tunnels, newest first, keyset-paged' })
  list(@CurrentUser() user: AuthUser, @Query() q: ListTunnelsDto): Promise<Page<TunnelView>> {
    return this.queries.execute(new ListTunnelsQuery(user, { states: q.state as TaskState[] | undefined, limit: q.limit, cursor: q.cursor }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tunnel with its listen address, figures and latest events' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TunnelView> {
    return this.queries.execute(new GetTunnelQuery(user, id));
  }

  @Post(':id/trigger')
  @HttpCode(200)
  @ApiOperation({ summary: 'Relay the researcher’s sealed triggers (with the tunnel secret inside), listener first' })
  trigger(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string, @Body() body: TriggerTransferDto): Promise<TunnelView> {
    return this.commands.execute(new TriggerTunnelCommand(user, id, body));
  }
}
