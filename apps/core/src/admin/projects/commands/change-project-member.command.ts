import { Command } from '@nestjs/cqrs';
import type { AdminProjectView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';

/** Adds (idempotent) or removes (404 when not a member) one member. */
export class ChangeProjectMemberCommand extends Command<AdminProjectView> {
  constructor(
    readonly actor: AuthUser,
    readonly change: 'add' | 'remove',
    readonly project: string,
    readonly user: string,
  ) {
    super();
  }
}
