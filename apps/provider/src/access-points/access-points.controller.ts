import { Controller, Get, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { AccessPointsResponse } from '@ferry/contracts';
import { SignedRequestGuard } from '../signing/signed-request.guard';
import { ListAccessPointsQuery } from './queries/list-access-points.query';

/** Tunnel discovery for the core (signed like every /ferry/v1 call). */
@Controller('ferry/v1')
@UseGuards(SignedRequestGuard)
export class AccessPointsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('access-points')
  list(): Promise<AccessPointsResponse> {
    return this.queries.execute(new ListAccessPointsQuery());
  }
}
