import { Command } from '@nestjs/cqrs';
import type { CreateTunnelRequest, TunnelView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class CreateTunnelCommand extends Command<TunnelView> {
  constructor(
    readonly user: AuthUser,
    readonly request: CreateTunnelRequest,
  ) {
    super();
  }
}
