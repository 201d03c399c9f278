import { Command } from '@nestjs/cqrs';
import type { AclEntryView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { AclChangeInput } from '../dto/acl-input.schema';

/** Grant or revoke permissions of one user or project on one drive; answers with the drive's ACL. */
export class ChangeAclCommand extends Command<AclEntryView[]> {
  constructor(
    readonly actor: AuthUser,
    readonly change: 'grant' | 'revoke',
    readonly input: AclChangeInput,
  ) {
    super();
  }
}
