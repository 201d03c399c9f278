/**
 * The core's admin API (/api/admin, admin users only) and operations endpoints: the views the core
 * answers with, shared by the core and the `ferry admin` CLI. Request bodies are validated by the
 * core (zod, unknown fields refused); their shapes are listed in docs/operator-guide.md.
 */

export type AclPermission = 'READ' | 'WRITE' | 'ADMIN';

export interface AdminUserView {
  name: string;
  admin: boolean;
  /** a disabled user's tokens are refused (401); her tasks keep running */
  disabled: boolean;
  /** live (not revoked) tokens */
  activeTokens: number;
  createdAt: string;
}

/** A token as listed: never the token itself, nor its hash. */
export interface AdminTokenView {
  id: string;
  user: string;
  label: string | null;
  revoked: boolean;
  createdAt: string;
  revokedAt: string | null;
}

/** The answer to creating a token: the only time the clear token is shown. */
export interface CreatedTokenView extends AdminTokenView {
  token: string;
}

export interface AdminProjectView {
  name: string;
  members: string[];
  createdAt: string;
}

/** One ACL row: a permission for a user or a project (never both) on a drive. */
export interface AclEntryView {
  drive: string;
  user: string | null;
  project: string | null;
  permission: AclPermission;
}

export interface AdminDriveView {
  id: string;
  name: string;
  providerId: string;
  gatewayDrive: string;
  acl: AclEntryView[];
}

export interface IdentityMappingView {
  user: string;
  provider: string;
  identity: string;
}

export interface AdminProviderView {
  id: string;
  name: string;
  url: string;
  signPublicKey: string | null;
  boxPublicKey: string | null;
  /** keys set by an operator; never replaced by what the gateway publishes */
  keysPinned: boolean;
  mechanisms: string[];
  /** when the descriptor was last fetched from the gateway */
  fetchedAt: string | null;
}

/** The answer to POST /api/admin/providers/{id}/refresh. */
export interface ProviderRefreshView {
  provider: AdminProviderView;
  /** the keys the gateway publishes right now at /.well-known/ferry-provider */
  published: { signPublicKey: string; boxPublicKey: string; mechanisms: string[] };
  /** for pinned providers: whether the published keys equal the pinned ones (null when not pinned) */
  matchesPinned: boolean | null;
}

/** What the audit log records; `target` names the thing acted on (e.g. `user:bob`, `drive:a-data`). */
export const AUDIT_ACTIONS = [
  'transfer.initiate',
  'transfer.trigger',
  'task.pause',
  'task.resume',
  'task.cancel',
  'user.create',
  'user.update',
  'token.create',
  'token.revoke',
  'project.create',
  'project.member.add',
  'project.member.remove',
  'drive.create',
  'drive.update',
  'drive.delete',
  'acl.grant',
  'acl.revoke',
  'mapping.set',
  'mapping.remove',
  'provider.register',
  'provider.update',
  'provider.keys.pin',
  'provider.keys.unpin',
  'provider.keys.refresh',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntryView {
  /** increasing; newer entries have larger ids */
  id: string;
  at: string;
  /** the user who acted (null for the core itself) */
  actor: string | null;
  action: AuditAction;
  taskId: string | null;
  target: string | null;
  /** what was done, without secrets */
  details: Record<string, unknown>;
  /** the x-request-id of the request that did it */
  requestId: string | null;
}

/** GET /health/ready: every check, and 503 when any failed. */
export interface ReadinessView {
  status: 'ready' | 'not-ready';
  /** `informative` checks are reported but do not make the service not-ready (additive) */
  checks: Array<{ name: string; ok: boolean; error?: string; informative?: boolean }>;
}
