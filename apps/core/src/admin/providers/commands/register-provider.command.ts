import { Command } from '@nestjs/cqrs';
import type { AdminProviderView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { RegisterProviderInput } from '../dto/provider-input.schema';

export class RegisterProviderCommand extends Command<AdminProviderView> {
  constructor(
    readonly actor: AuthUser,
    readonly input: RegisterProviderInput,
  ) {
    super();
  }
}
