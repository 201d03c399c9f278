import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TransferView } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { CreateTransferCommand } from './commands/create-transfer.command';
import { TriggerTransferCommand } from './commands/trigger-transfer.command';
import { CreateTransferDto } from './dto/create-transfer.dto';
import { TriggerTransferDto } from './dto/trigger-transfer.dto';
import { GetTransferQuery } from './queries/get-transfer.query';
import { uuidPipe } from '../common/uuid.pipe';

@ApiTags('transfers')
@ApiBearerAuth()
@Controller('api/transfers')
export class TransferController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Authorize and negotiate a transfer; answers with both gateways’ sealed offers' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateTransferDto): Promise<TransferView> {
    return this.commands.execute(new CreateTransferCommand(user, body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One transfer with its offers and task' })
  get(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string): Promise<TransferView> {
    return this.queries.execute(new GetTransferQuery(user, id));
  }

  @Post(':id/trigger')
  @HttpCode(200)
  @ApiOperation({ summary: 'Relay the researcher’s sealed triggers, destination first, then source' })
  trigger(@CurrentUser() user: AuthUser, @Param('id', uuidPipe) id: string, @Body() body: TriggerTransferDto): Promise<TransferView> {
    return this.commands.execute(new TriggerTransferCommand(user, id, body));
  }
}
