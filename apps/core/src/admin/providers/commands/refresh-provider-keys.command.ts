import { Command } from '@nestjs/cqrs';
import type { ProviderRefreshView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';

export class RefreshProviderKeysCommand extends Command<ProviderRefreshView> {
  constructor(
    readonly actor: AuthUser,
    readonly id: string,
    /** pin what the gateway publishes now */
    readonly pin: boolean,
  ) {
    super();
  }
}
