import { Query } from '@nestjs/cqrs';
import type { ProviderView } from '@ferry/contracts';

export class ListProvidersQuery extends Query<ProviderView[]> {}
