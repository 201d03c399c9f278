import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { TransferApiError } from './standin-http.util';
import {
  type AccessRule,
  type StandinClient,
  type StandinCollection,
  type StandinSettings,
  type StandinTask,
  type StandinToken,
  TRANSFER_SCOPE,
} from './standin-model';

/**
 * Everything the stand-in knows, and the rules Globus applies to it: who a bearer token is,
 * which identity may read, write or manage ACLs on which collection path.
 */
export class StandinRegistry {
  readonly clients = new Map<string, StandinClient>();
  readonly tokens = new Map<string, StandinToken>();
  readonly collections = new Map<string, StandinCollection>();
  readonly rules = new Map<string, AccessRule>();
  readonly tasks = new Map<string, StandinTask>();
  /** submission id -> identity it was issued to, and the task it created once used */
  readonly submissions = new Map<string, { identityId: string; taskId: string | null }>();

  constructor(readonly settings: StandinSettings) {}

  registerClient(clientId: string = randomUUID(), secret: string = randomBytes(24).toString('base64')): StandinClient {
    const c: StandinClient = { clientId, secret, identityId: clientId, username: `${clientId}@clients.auth.globus.org` };
    this.clients.set(clientId, c);
    return c;
  }

  issueToken(client: StandinClient, kind: 'access' | 'refresh', scope = TRANSFER_SCOPE): StandinToken {
    const t: StandinToken = {
      token: (kind === 'access' ? 'Ag' : 'Rf') + randomBytes(24).toString('base64url'),
      identityId: client.identityId,
      clientId: client.clientId,
      scope,
      expiresAt: kind === 'access' ? Date.now() + this.settings.tokenLifetimeSeconds * 1000 : Number.MAX_SAFE_INTEGER,
      kind,
    };
    this.tokens.set(t.token, t);
    return t;
  }

  expireAllAccessTokens(): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (t.kind === 'access' && t.expiresAt > Date.now()) {
        t.expiresAt = 0;
        n++;
      }
    }
    return n;
  }

  /** The identity behind `Authorization: Bearer …`, or 401 AuthenticationFailed. */
  authenticate(header: string | undefined): StandinToken {
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new TransferApiError(401, 'AuthenticationFailed', 'No Authorization header or not a Bearer token');
    const t = this.tokens.get(m[1]);
    if (!t || t.kind !== 'access') throw new TransferApiError(401, 'AuthenticationFailed', 'Token is not active');
    if (t.expiresAt <= Date.now()) throw new TransferApiError(401, 'AuthenticationFailed', 'Token is not active');
    if (!t.scope.split(/\s+/).includes(TRANSFER_SCOPE)) {
      throw new TransferApiError(401, 'AuthenticationFailed', 'Token is not valid for the Transfer service');
    }
    return t;
  }

  collection(id: string): StandinCollection {
    const c = this.collections.get(id);
    if (!c) throw new TransferApiError(404, 'EndpointNotFound', `No such endpoint (collection) '${id}'`);
    return c;
  }

  /** 403 ConsentRequired when a test has flagged the collection. */
  checkConsent(c: StandinCollection): void {
    if (c.consentRequired) {
      throw new TransferApiError(403, 'ConsentRequired', `Missing required data_access consent for collection ${c.id}`, {
        required_scopes: c.consentRequired,
        authorization_parameters: { session_message: 'Consent is required', required_scopes: c.consentRequired },
      });
    }
  }

  canManage(c: StandinCollection, identityId: string): boolean {
    return c.owner === identityId || c.roles.get(identityId) === 'access_manager' || c.roles.get(identityId) === 'owner';
  }

  /** Data access: the owner reads and writes everything; others need an ACL rule covering the path. */
  allows(c: StandinCollection, identityId: string, collectionPath: string, need: 'r' | 'rw'): boolean {
    if (c.owner === identityId || c.roles.get(identityId) === 'owner') return true;
    const p = asDir(normalizeCollectionPath(collectionPath));
    for (const r of this.rules.values()) {
      if (r.collectionId !== c.id) continue;
      const who = r.principal_type === 'all_authenticated_users' || (r.principal_type === 'identity' && r.principal === identityId);
      if (!who) continue;
      if (!p.startsWith(r.path)) continue;
      if (need === 'r' || r.permissions === 'rw') return true;
    }
    return false;
  }

  /** Local file for a collection path; 400 for paths that are not absolute or try to leave the collection. */
  localPath(c: StandinCollection, collectionPath: string): string {
    const norm = normalizeCollectionPath(collectionPath);
    return path.join(c.root, ...norm.split('/').filter(Boolean));
  }
}

/** '/~/a//b/' -> '/a/b'; rejects relative paths and '..'. The home folder '~' is the collection root. */
export function normalizeCollectionPath(p: string): string {
  if (typeof p !== 'string' || !p.startsWith('/')) {
    throw new TransferApiError(400, 'ClientError.BadRequest', `Path '${String(p)}' must be absolute`);
  }
  const segs: string[] = [];
  p.split('/').forEach((s, i) => {
    if (s === '' || s === '.' || (s === '~' && i === 1)) return;
    if (s === '..' || s.includes('\0')) throw new TransferApiError(400, 'ClientError.BadRequest', `Invalid path '${p}'`);
    segs.push(s);
  });
  return '/' + segs.join('/');
}

export function asDir(p: string): string {
  return p.endsWith('/') ? p : p + '/';
}
