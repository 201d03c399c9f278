import { Command } from '@nestjs/cqrs';
import type { AdminProviderView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { PinKeysInput } from '../dto/provider-input.schema';

/** Pin the given keys, or (keys null) unpin: the registry fetches them from the gateway again. */
export class ChangeProviderKeysCommand extends Command<AdminProviderView> {
  constructor(
    readonly actor: AuthUser,
    readonly id: string,
    readonly keys: PinKeysInput | null,
  ) {
    super();
  }
}
