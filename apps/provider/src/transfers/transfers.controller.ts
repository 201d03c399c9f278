import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FileEntry, FinalizeResponse, GatewayTransferStatus, GatewayTriggerResponse, PrepareResponse } from '@ferry/contracts';
import { SignedRequestGuard } from '../signing/signed-request.guard';
import { TransferIdPipe } from '../http/transfer-id.pipe';
import {
  browseRequestSchema,
  controlRequestSchema,
  finalizeRequestSchema,
  parseRequest,
  prepareRequestSchema,
  roleQuerySchema,
  triggerRequestSchema,
} from '../http/request.schemas';
import { PluginMetrics, type MechanismMetrics } from '../plugins/plugin-metrics';
import { PrepareTransferCommand } from './commands/prepare-transfer.command';
import { TriggerTransferCommand } from './commands/trigger-transfer.command';
import { ControlTransferCommand } from './commands/control-transfer.command';
import { FinalizeTransferCommand } from './commands/finalize-transfer.command';
import { GetTransferStatusQuery } from './queries/get-transfer-status.query';
import { BrowseDriveQuery } from './queries/browse-drive.query';

/** The core's signed calls (GATEWAY_API_PREFIX = /ferry/v1). Parses, dispatches, nothing else. */
@Controller('ferry/v1')
@UseGuards(SignedRequestGuard)
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly metrics: PluginMetrics,
  ) {}

  @Post('transfers/prepare')
  @HttpCode(200)
  prepare(@Body() body: unknown): Promise<PrepareResponse> {
    return this.commands.execute(new PrepareTransferCommand(parseRequest(prepareRequestSchema, body)));
  }

  @Post('transfers/:id/trigger')
  @HttpCode(200)
  trigger(@Param('id', TransferIdPipe) id: string, @Body() body: unknown): Promise<GatewayTriggerResponse> {
    return this.commands.execute(new TriggerTransferCommand(id, parseRequest(triggerRequestSchema, body)));
  }

  @Post('transfers/:id/control')
  @HttpCode(200)
  control(@Param('id', TransferIdPipe) id: string, @Body() body: unknown): Promise<GatewayTransferStatus> {
    const req = parseRequest(controlRequestSchema, body);
    return this.commands.execute(new ControlTransferCommand(id, req.action, req.role));
  }

  @Post('transfers/:id/finalize')
  @HttpCode(200)
  finalize(@Param('id', TransferIdPipe) id: string, @Body() body: unknown): Promise<FinalizeResponse> {
    return this.commands.execute(new FinalizeTransferCommand(id, parseRequest(finalizeRequestSchema, body)));
  }

  @Get('transfers/:id/status')
  status(@Param('id', TransferIdPipe) id: string, @Query('role') role: unknown): Promise<GatewayTransferStatus> {
    return this.queries.execute(new GetTransferStatusQuery(id, parseRequest(roleQuerySchema, role, 'role')));
  }

  @Post('browse')
  @HttpCode(200)
  browse(@Body() body: unknown): Promise<FileEntry[]> {
    return this.queries.execute(new BrowseDriveQuery(parseRequest(browseRequestSchema, body)));
  }

  /** Plugin call counters (in memory since start). */
  @Get('metrics')
  pluginMetrics(): Record<string, MechanismMetrics> {
    return this.metrics.snapshot();
  }
}
