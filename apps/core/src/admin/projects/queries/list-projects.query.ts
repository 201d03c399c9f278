import { Query } from '@nestjs/cqrs';
import type { AdminProjectView } from '@ferry/contracts';

export class ListProjectsQuery extends Query<AdminProjectView[]> {}
