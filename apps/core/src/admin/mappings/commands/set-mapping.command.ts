import { Command } from '@nestjs/cqrs';
import type { IdentityMappingView } from '@ferry/contracts';
import type { AuthUser } from '../../../auth/auth.decorators';
import type { SetMappingInput } from '../dto/mapping-input.schema';

export class SetMappingCommand extends Command<IdentityMappingView> {
  constructor(
    readonly actor: AuthUser,
    readonly input: SetMappingInput,
  ) {
    super();
  }
}
