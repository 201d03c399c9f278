import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ProgressBatchResponse } from '@ferry/contracts';
import { Public } from '../auth/auth.decorators';
import { RecordProgressBatchCommand } from './commands/record-progress-batch.command';
import { RecordProgressCommand, RecordProgressResult } from './commands/record-progress.command';
import { parseProgressBatch, parseProgressReport } from './dto/progress-report.schema';
import { GatewaySignatureGuard, SignedRequest } from './gateway-signature.guard';

/** Gateway-facing: signed by the provider (no bearer token). Documented in docs/protocol.md. */
@ApiExcludeController()
@Public()
@UseGuards(GatewaySignatureGuard)
@Controller('api/gateway')
export class GatewayProgressController {
  constructor(private readonly commands: CommandBus) {}

  @Post('progress')
  @HttpCode(200)
  progress(@Req() req: SignedRequest, @Body() body: unknown): Promise<RecordProgressResult> {
    return this.commands.execute(new RecordProgressCommand(req.gatewayId!, parseProgressReport(body)));
  }

  /** Many reports in one signed request (a gateway's reports of one tick): one outcome per report. */
  @Post('progress/batch')
  @HttpCode(200)
  progressBatch(@Req() req: SignedRequest, @Body() body: unknown): Promise<ProgressBatchResponse> {
    return this.commands.execute(new RecordProgressBatchCommand(req.gatewayId!, parseProgressBatch(body)));
  }
}
