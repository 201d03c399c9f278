import { Command } from '@nestjs/cqrs';
import type { AdminProjectView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';

export class CreateProjectCommand extends Command<AdminProjectView> {
  constructor(
    readonly actor: AuthUser,
    readonly name: string,
  ) {
    super();
  }
}
