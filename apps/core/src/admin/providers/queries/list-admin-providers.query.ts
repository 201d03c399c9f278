import { Query } from '@nestjs/cqrs';
import type { AdminProviderView } from '@ferry/contracts';

export class ListAdminProvidersQuery extends Query<AdminProviderView[]> {}
