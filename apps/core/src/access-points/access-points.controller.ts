import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProviderAccessPoints } from '@ferry/contracts';
import { AuthUser, CurrentUser } from '../auth/auth.decorators';
import { ListAccessPointsQuery } from './queries/list-access-points.query';

@ApiTags('tunnels')
@ApiBearerAuth()
@Controller('api/access-points')
export class AccessPointsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Tunnel access points at every provider where you have an identity, with the peers and targets their policy allows' })
  list(@CurrentUser() user: AuthUser): Promise<ProviderAccessPoints[]> {
    return this.queries.execute(new ListAccessPointsQuery(user));
  }
}
