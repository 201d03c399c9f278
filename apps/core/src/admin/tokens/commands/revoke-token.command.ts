import { Command } from '@nestjs/cqrs';
import type { AdminTokenView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';

export class RevokeTokenCommand extends Command<AdminTokenView> {
  constructor(
    readonly actor: AuthUser,
    readonly tokenId: string,
  ) {
    super();
  }
}
