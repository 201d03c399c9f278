import { Command } from '@nestjs/cqrs';
import type { AdminProviderView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { UpdateProviderInput } from '../dto/provider-input.schema';

export class UpdateProviderCommand extends Command<AdminProviderView> {
  constructor(
    readonly actor: AuthUser,
    readonly id: string,
    readonly input: UpdateProviderInput,
  ) {
    super();
  }
}
