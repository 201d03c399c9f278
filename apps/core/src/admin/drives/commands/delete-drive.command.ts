import { Command } from '@nestjs/cqrs';
import type { AdminDriveView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';

export class DeleteDriveCommand extends Command<AdminDriveView> {
  constructor(
    readonly actor: AuthUser,
    readonly id: string,
  ) {
    super();
  }
}
