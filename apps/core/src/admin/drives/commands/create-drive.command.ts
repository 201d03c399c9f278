import { Command } from '@nestjs/cqrs';
import type { AdminDriveView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { CreateDriveInput } from '../dto/drive-input.schema';

export class CreateDriveCommand extends Command<AdminDriveView> {
  constructor(
    readonly actor: AuthUser,
    readonly input: CreateDriveInput,
  ) {
    super();
  }
}
