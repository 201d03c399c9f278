import { Query } from '@nestjs/cqrs';
import type { AdminDriveView } from '@ferry/contracts';

export class ListAdminDrivesQuery extends Query<AdminDriveView[]> {}
