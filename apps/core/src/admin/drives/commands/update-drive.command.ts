import { Command } from '@nestjs/cqrs';
import type { AdminDriveView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { UpdateDriveInput } from '../dto/drive-input.schema';

export class UpdateDriveCommand extends Command<AdminDriveView> {
  constructor(
    readonly actor: AuthUser,
    readonly id: string,
    readonly input: UpdateDriveInput,
  ) {
    super();
  }
}
