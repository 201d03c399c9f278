import { Command } from '@nestjs/cqrs';
import type { AuthUser } from '../../../auth/auth.decorators';

export class RemoveMappingCommand extends Command<{ user: string; provider: string; removed: true }> {
  constructor(
    readonly actor: AuthUser,
    readonly user: string,
    readonly provider: string,
  ) {
    super();
  }
}
