import { ERROR_STATUS } from '@ferry/contracts';
import type { CoreHarness } from '../support/core-harness';
import { TOKENS } from '../support/core-harness';

export function apiBasicsSuite(get: () => CoreHarness): void {
  it('ran the hand-written migrations (no synchronize) on this database', async () => {
    const rows = (await get().sql(`SELECT name FROM core_migrations`)) as Array<{ name: string }>;
    expect(rows.map((r) => r.name)).toEqual(['InitialSchema1767000000000', 'Operations1767100000000', 'Tunnels1767200000000', 'StaleTasks1767300000000']);
    const idx = (await get().sql(`SELECT indexname FROM pg_indexes WHERE tablename = 'tasks' ORDER BY indexname`)) as Array<{ indexname: string }>;
    expect(idx.map((i) => i.indexname)).toEqual(expect.arrayContaining(['tasks_owner_created_idx', 'tasks_state_idx']));
  });

  it('refuses a missing, unknown or malformed token with 401 UNAUTHENTICATED', async () => {
    const h = get();
    for (const token of [null, 'not-a-real-token-at-all']) {
      const r = await h.api(token, 'GET', '/api/me');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHENTICATED');
    }
    const r = await h.api(null, 'GET', '/api/tasks', undefined, { authorization: 'Basic abc' });
    expect(r.status).toBe(401);
  });

  it('refuses a revoked token', async () => {
    const h = get();
    await h.sql(`INSERT INTO api_tokens (token_hash, user_id, revoked) SELECT encode(sha256('revoked-token-123456'::bytea), 'hex'), id, true FROM users WHERE name = 'alice'`);
    const r = await h.api('revoked-token-123456', 'GET', '/api/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('says who the token belongs to', async () => {
    expect((await get().api(TOKENS.alice, 'GET', '/api/me')).body).toEqual({ name: 'alice', admin: false });
    expect((await get().api(TOKENS.carol, 'GET', '/api/me')).body).toEqual({ name: 'carol', admin: true });
  });

  it('lists the drives a user can read or write, with effective permissions', async () => {
    const alice = (await get().api(TOKENS.alice, 'GET', '/api/drives')).body;
    expect(alice).toEqual([
      { id: 'a-data', name: 'A data', providerId: 'provider-a', providerName: 'Provider A', permissions: ['READ', 'WRITE'] },
      { id: 'b-inbox', name: 'B inbox', providerId: 'provider-b', providerName: 'Provider B', permissions: ['WRITE'] },
    ]);
    const bob = (await get().api(TOKENS.bob, 'GET', '/api/drives')).body;
    expect(bob.map((d: any) => [d.id, d.permissions])).toEqual([
      ['a-data', ['READ']], // through project climate
      ['b-public', ['READ']],
    ]);
    const carol = (await get().api(TOKENS.carol, 'GET', '/api/drives')).body;
    expect(carol.find((d: any) => d.id === 'b-inbox').permissions).toEqual(['READ', 'WRITE', 'ADMIN']);
  });

  it('lists providers with pinned keys, and fetched keys once a gateway was asked', async () => {
    const h = get();
    await h.createTransfer(); // makes the registry fetch provider-b's descriptor
    const list = (await h.api(TOKENS.bob, 'GET', '/api/providers')).body;
    expect(list).toEqual([
      { id: 'provider-a', name: 'Provider A', url: h.gwA.url, mechanisms: ['test'], boxPublicKey: h.gwA.box.publicKey, signPublicKey: h.gwA.sign.publicKey },
      { id: 'provider-b', name: 'Provider B', url: h.gwB.url, mechanisms: ['test'], boxPublicKey: h.gwB.box.publicKey, signPublicKey: h.gwB.sign.publicKey },
    ]);
  });

  it('browses a drive through its gateway as the mapped identity', async () => {
    const h = get();
    const r = await h.api(TOKENS.alice, 'GET', '/api/drives/a-data/files?path=/results/');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ driveId: 'a-data', path: 'results', entries: [{ name: 'results', type: 'dir', size: 0, modified: '2026-01-01T00:00:00.000Z' }] });
    const call = h.gwA.callsTo('/browse').pop()!;
    expect(call.body).toEqual({ identity: 'alice', drive: 'data', path: 'results' });
  });

  it('refuses browsing without READ (403), without mapping (403) and with traversal (400)', async () => {
    const h = get();
    expect((await h.api(TOKENS.alice, 'GET', '/api/drives/b-inbox/files')).body.error.code).toBe('FORBIDDEN');
    expect((await h.api(TOKENS.bob, 'GET', '/api/drives/b-public/files')).body.error.code).toBe('NO_IDENTITY_MAPPING');
    const bad = await h.api(TOKENS.alice, 'GET', '/api/drives/a-data/files?path=../../etc');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('BAD_PATH');
    expect((await h.api(TOKENS.alice, 'GET', '/api/drives/nope/files')).status).toBe(404);
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE and bad JSON with 400', async () => {
    const h = get();
    const big = h.transferRequest({ options: { label: 'x'.repeat(20_000) } });
    const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', big);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const j = await h.api(TOKENS.alice, 'POST', '/api/transfers', '{"source":');
    expect(j.status).toBe(400);
    expect(j.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('answers unknown API routes with the error body shape', async () => {
    const r = await get().api(TOKENS.alice, 'GET', '/api/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    const t = await get().api(TOKENS.alice, 'GET', '/api/tasks/not-a-uuid');
    expect(t.status).toBe(404);
  });

  it('answers polling with ETags: an unchanged task is 304 Not Modified', async () => {
    const h = get();
    const view = await h.createTransfer();
    const headers = { authorization: `Bearer ${TOKENS.alice}` };
    const first = await fetch(`${h.url}/api/tasks/${view.id}`, { headers });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // an explicit cache-control, or fetch itself adds "no-cache", which forbids a 304
    const again = await fetch(`${h.url}/api/tasks/${view.id}`, { headers: { ...headers, 'if-none-match': etag!, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
  });

  it('publishes OpenAPI without a token', async () => {
    const r = await get().api(null, 'GET', '/api/docs-json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/api/transfers', '/api/transfers/{id}/trigger', '/api/tasks']));
    expect(Object.keys(r.body.paths)).not.toContain('/api/gateway/progress');
  });

  it('serves the web app with a single-page fallback', async () => {
    const h = get();
    const res = await fetch(`${h.url}/tasks/some-page`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>ferry</title>');
  });

  it('uses only codes from ERROR_STATUS with their statuses (checked on every error seen here)', async () => {
    const h = get();
    const answers = [
      await h.api(null, 'GET', '/api/me'),
      await h.api(TOKENS.alice, 'GET', '/api/nothing'),
      await h.api(TOKENS.alice, 'POST', '/api/transfers', {}),
    ];
    for (const a of answers) {
      expect(ERROR_STATUS[a.body.error.code as keyof typeof ERROR_STATUS]).toBe(a.status);
    }
  });
}
