import type {
  AclEntryView,
  AclPermission,
  AdminDriveView,
  AdminProjectView,
  AdminProviderView,
  AdminTokenView,
  AdminUserView,
  AuditEntryView,
  CreatedTokenView,
  IdentityMappingView,
  Page,
  ProviderRefreshView,
} from '@ferry/contracts';
import type { CoreApiClient } from '../../api/core-api.client';

export interface AuditFilter {
  user?: string;
  task?: string;
  action?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

/** A principal of an ACL change: a user or a project. */
export type AclPrincipalRef = { user: string } | { project: string };

/**
 * The core's admin API (/api/admin), one method per endpoint, over the researcher client's
 * authenticated `call` (same token, same error codes).
 */
export class AdminApiClient {
  constructor(private readonly api: CoreApiClient) {}

  users(): Promise<AdminUserView[]> {
    return this.api.call('GET', '/api/admin/users');
  }
  createUser(name: string, admin: boolean): Promise<AdminUserView> {
    return this.api.call('POST', '/api/admin/users', { name, admin });
  }
  updateUser(name: string, patch: { admin?: boolean; disabled?: boolean }): Promise<AdminUserView> {
    return this.api.call('PATCH', `/api/admin/users/${enc(name)}`, patch);
  }

  tokens(user?: string): Promise<AdminTokenView[]> {
    return this.api.call('GET', `/api/admin/tokens${qs({ user })}`);
  }
  createToken(user: string, label?: string): Promise<CreatedTokenView> {
    return this.api.call('POST', '/api/admin/tokens', { user, ...(label ? { label } : {}) });
  }
  revokeToken(id: string): Promise<AdminTokenView> {
    return this.api.call('POST', `/api/admin/tokens/${enc(id)}/revoke`);
  }

  projects(): Promise<AdminProjectView[]> {
    return this.api.call('GET', '/api/admin/projects');
  }
  createProject(name: string): Promise<AdminProjectView> {
    return this.api.call('POST', '/api/admin/projects', { name });
  }
  addMember(project: string, user: string): Promise<AdminProjectView> {
    return this.api.call('PUT', `/api/admin/projects/${enc(project)}/members/${enc(user)}`);
  }
  removeMember(project: string, user: string): Promise<AdminProjectView> {
    return this.api.call('DELETE', `/api/admin/projects/${enc(project)}/members/${enc(user)}`);
  }

  drives(): Promise<AdminDriveView[]> {
    return this.api.call('GET', '/api/admin/drives');
  }
  createDrive(d: { id: string; name: string; provider: string; gatewayDrive: string }): Promise<AdminDriveView> {
    return this.api.call('POST', '/api/admin/drives', d);
  }
  updateDrive(id: string, patch: { name?: string; provider?: string; gatewayDrive?: string }): Promise<AdminDriveView> {
    return this.api.call('PATCH', `/api/admin/drives/${enc(id)}`, patch);
  }
  deleteDrive(id: string): Promise<AdminDriveView> {
    return this.api.call('DELETE', `/api/admin/drives/${enc(id)}`);
  }

  acl(drive?: string): Promise<AclEntryView[]> {
    return this.api.call('GET', `/api/admin/acl${qs({ drive })}`);
  }
  changeAcl(change: 'grant' | 'revoke', drive: string, who: AclPrincipalRef, permissions: AclPermission[]): Promise<AclEntryView[]> {
    return this.api.call('POST', `/api/admin/acl/${change}`, { drive, ...who, permissions });
  }

  mappings(filter: { user?: string; provider?: string } = {}): Promise<IdentityMappingView[]> {
    return this.api.call('GET', `/api/admin/mappings${qs(filter)}`);
  }
  setMapping(user: string, provider: string, identity: string): Promise<IdentityMappingView> {
    return this.api.call('PUT', '/api/admin/mappings', { user, provider, identity });
  }
  removeMapping(user: string, provider: string): Promise<unknown> {
    return this.api.call('DELETE', `/api/admin/mappings/${enc(user)}/${enc(provider)}`);
  }

  providers(): Promise<AdminProviderView[]> {
    return this.api.call('GET', '/api/admin/providers');
  }
  registerProvider(p: { id: string; name: string; url: string; signPublicKey?: string; boxPublicKey?: string }): Promise<AdminProviderView> {
    return this.api.call('POST', '/api/admin/providers', p);
  }
  updateProvider(id: string, patch: { name?: string; url?: string }): Promise<AdminProviderView> {
    return this.api.call('PATCH', `/api/admin/providers/${enc(id)}`, patch);
  }
  pinKeys(id: string, keys: { signPublicKey: string; boxPublicKey: string }): Promise<AdminProviderView> {
    return this.api.call('PUT', `/api/admin/providers/${enc(id)}/keys`, keys);
  }
  unpinKeys(id: string): Promise<AdminProviderView> {
    return this.api.call('DELETE', `/api/admin/providers/${enc(id)}/keys`);
  }
  refreshProvider(id: string, pin: boolean): Promise<ProviderRefreshView> {
    return this.api.call('POST', `/api/admin/providers/${enc(id)}/refresh`, { pin });
  }

  audit(filter: AuditFilter = {}): Promise<Page<AuditEntryView>> {
    return this.api.call('GET', `/api/admin/audit${qs({ ...filter, limit: filter.limit?.toString() })}`);
  }
}

const enc = encodeURIComponent;
function qs(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
