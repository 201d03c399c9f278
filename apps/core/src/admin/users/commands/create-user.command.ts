import { Command } from '@nestjs/cqrs';
import type { AdminUserView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { CreateUserInput } from '../dto/user-input.schema';

export class CreateUserCommand extends Command<AdminUserView> {
  constructor(
    readonly actor: AuthUser,
    readonly input: CreateUserInput,
  ) {
    super();
  }
}
