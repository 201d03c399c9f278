import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './standin-http.util';
import { TRANSFER_RESOURCE_SERVER, TRANSFER_SCOPE, type StandinClient } from './standin-model';
import type { StandinRegistry } from './standin-registry';

/**
 * Globus Auth's token endpoint: POST /v2/oauth2/token, form-encoded, confidential clients
 * authenticate with HTTP Basic (or client_id/client_secret in the form). Errors are OAuth2 bodies.
 */
export async function handleAuth(reg: StandinRegistry, req: IncomingMessage, res: ServerResponse, counters: Map<string, number>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/v2/oauth2/token') {
    sendJson(res, 404, { error: 'not_found', error_description: `No route ${req.method} ${url.pathname}` });
    return;
  }
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'Use POST' });
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const grant = form.get('grant_type');
  counters.set(`token:${grant}`, (counters.get(`token:${grant}`) ?? 0) + 1);

  const client = clientFrom(reg, req.headers.authorization, form);
  if (!client) {
    sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'WWW-Authenticate': 'Basic realm="globus"' });
    return;
  }
  if (grant === 'client_credentials') {
    const scope = form.get('scope') || TRANSFER_SCOPE;
    const t = reg.issueToken(client, 'access', scope);
    sendJson(res, 200, tokenReply(t.token, scope, reg.settings.tokenLifetimeSeconds));
    return;
  }
  if (grant === 'refresh_token') {
    const rt = reg.tokens.get(form.get('refresh_token') ?? '');
    if (!rt || rt.kind !== 'refresh' || rt.clientId !== client.clientId) {
      sendJson(res, 401, { error: 'invalid_grant', error_description: 'Refresh token is invalid, expired or revoked' });
      return;
    }
    const t = reg.issueToken(client, 'access', rt.scope);
    sendJson(res, 200, { ...tokenReply(t.token, rt.scope, reg.settings.tokenLifetimeSeconds), refresh_token: rt.token });
    return;
  }
  sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type '${grant}' is not supported` });
}

function tokenReply(accessToken: string, scope: string, expiresIn: number) {
  return {
    access_token: accessToken,
    scope,
    expires_in: expiresIn,
    token_type: 'Bearer',
    resource_server: TRANSFER_RESOURCE_SERVER,
    other_tokens: [],
  };
}

function clientFrom(reg: StandinRegistry, header: string | undefined, form: URLSearchParams): StandinClient | undefined {
  let id: string | null = null;
  let secret: string | null = null;
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (m) {
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      id = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
  } else {
    id = form.get('client_id');
    secret = form.get('client_secret');
  }
  const c = id ? reg.clients.get(id) : undefined;
  return c && secret === c.secret ? c : undefined;
}
