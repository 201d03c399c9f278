import { Command } from '@nestjs/cqrs';
import type { CreatedTokenView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { CreateTokenInput } from '../dto/token-input.schema';

export class CreateTokenCommand extends Command<CreatedTokenView> {
  constructor(
    readonly actor: AuthUser,
    readonly input: CreateTokenInput,
  ) {
    super();
  }
}
