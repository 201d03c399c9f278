import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CreatedTokenView, DomainError } from '@ferry/contracts';
import { randomToken } from '@ferry/crypto';
import { auditEntry } from '../../../audit/audit-entry.util';
import { hashToken } from '../../../auth/token.guard';
import { UserRepository } from '../../../persistence/repositories';
import { toTokenView } from '../../admin-view.mapper';
import { CreateTokenCommand } from './create-token.command';

/**
 * A new API token for a user. The clear token is in this answer only: the core stores its sha256,
 * and neither the audit entry nor any log holds it. The `ferry_` prefix lets secret scanners (and
 * the log redaction) recognize it.
 */
@CommandHandler(CreateTokenCommand)
export class CreateTokenHandler implements ICommandHandler<CreateTokenCommand> {
  constructor(private readonly users: UserRepository) {}

  async execute({ actor, input }: CreateTokenCommand): Promise<CreatedTokenView> {
    const token = `ferry_${randomToken(32)}`;
    const label = input.label ?? null;
    const audit = auditEntry(actor, 'token.create', { target: `user:${input.user}`, details: { label } });
    const t = await this.users.createToken(input.user, hashToken(token), label, audit);
    if (!t) throw new DomainError('NOT_FOUND', `no user ${input.user}`);
    return { ...toTokenView(t), token };
  }
}
