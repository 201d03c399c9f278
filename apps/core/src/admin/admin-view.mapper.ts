import type { AclEntryView, AdminProviderView, AdminTokenView, AdminUserView, AuditEntryView, IdentityMappingView } from '@ferry/contracts';
import type { ProviderEntity, UserEntity } from '../persistence/entities';
import type { AclRow, AuditRow, MappingRow, TokenWithUser } from '../persistence/repositories';

/** The admin API's views of rows: names instead of ids, ISO dates, never token hashes. */
export function toUserView(u: UserEntity, activeTokens: number): AdminUserView {
  return { name: u.name, admin: u.admin, disabled: u.disabled, activeTokens, createdAt: u.createdAt.toISOString() };
}

export function toTokenView(t: TokenWithUser): AdminTokenView {
  return {
    id: t.id,
    user: t.userName,
    label: t.label,
    revoked: t.revoked,
    createdAt: t.createdAt.toISOString(),
    revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
  };
}

export function toAclView(a: AclRow): AclEntryView {
  return { drive: a.driveId, user: a.userName, project: a.projectName, permission: a.permission };
}

export function toMappingView(m: MappingRow): IdentityMappingView {
  return { user: m.userName, provider: m.providerId, identity: m.identity };
}

export function toProviderView(p: ProviderEntity): AdminProviderView {
  return {
    id: p.id,
    name: p.name,
    url: p.url,
    signPublicKey: p.signPublicKey,
    boxPublicKey: p.boxPublicKey,
    keysPinned: p.keysPinned,
    mechanisms: p.mechanisms,
    fetchedAt: p.fetchedAt ? p.fetchedAt.toISOString() : null,
  };
}

export function toAuditView(a: AuditRow): AuditEntryView {
  return {
    id: String(a.id),
    at: a.at.toISOString(),
    actor: a.actorName,
    action: a.action,
    taskId: a.taskId,
    target: a.target,
    details: a.details ?? {},
    requestId: a.requestId,
  };
}
