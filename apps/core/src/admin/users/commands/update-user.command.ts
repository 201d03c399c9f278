import { Command } from '@nestjs/cqrs';
import type { AdminUserView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { UpdateUserInput } from '../dto/user-input.schema';

export class UpdateUserCommand extends Command<AdminUserView> {
  constructor(
    readonly actor: AuthUser,
    readonly name: string,
    readonly input: UpdateUserInput,
  ) {
    super();
  }
}
