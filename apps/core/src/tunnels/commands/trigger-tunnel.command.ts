import { Command } from '@nestjs/cqrs';
import type { TriggerRequest, TunnelView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class TriggerTunnelCommand extends Command<TunnelView> {
  constructor(
    readonly user: AuthUser,
    readonly tunnelId: string,
    readonly request: TriggerRequest,
  ) {
    super();
  }
}
