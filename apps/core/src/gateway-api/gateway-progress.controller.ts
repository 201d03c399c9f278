import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { RecordProgressCommand, RecordProgressResult } from './commands/record-progress.command';
import { parseProgressReport } from './dto/progress-report.schema';
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
}
