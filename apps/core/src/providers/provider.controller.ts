import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ProviderView } from '@ferry/contracts';
import { ListProvidersQuery } from './queries/list-providers.query';

@ApiTags('providers')
@ApiBearerAuth()
@Controller('api/providers')
export class ProviderController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'Provider gateways and their keys, as the registry knows them' })
  list(): Promise<ProviderView[]> {
    return this.queries.execute(new ListProvidersQuery());
  }
}
