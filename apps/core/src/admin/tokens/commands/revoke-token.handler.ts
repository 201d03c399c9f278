import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminTokenView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { UserRepository } from '../../../persistence/repositories';
import { toTokenView } from '../../admin-view.mapper';
import { RevokeTokenCommand } from './revoke-token.command';

/** Revokes a token by id: the next request with it is 401. Revoking twice is 409 INVALID_STATE. */
@CommandHandler(RevokeTokenCommand)
export class RevokeTokenHandler implements ICommandHandler<RevokeTokenCommand> {
  constructor(private readonly users: UserRepository) {}

  async execute({ actor, tokenId }: RevokeTokenCommand): Promise<AdminTokenView> {
    const t = await this.users.findToken(tokenId);
    if (!t) throw new DomainError('NOT_FOUND', `no token ${tokenId}`);
    const audit = auditEntry(actor, 'token.revoke', { target: `user:${t.userName}`, details: { tokenId, label: t.label } });
    const revoked = await this.users.revokeTokenById(tokenId, audit);
    if (!revoked) throw new DomainError('INVALID_STATE', `token ${tokenId} is already revoked`);
    return toTokenView({ ...revoked, userName: t.userName });
  }
}
