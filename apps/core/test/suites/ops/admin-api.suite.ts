import { createHash } from 'node:crypto';
import { AUDIT_ACTIONS } from '@ferry/contracts';
import { generateBoxKeyPair, generateSigningKeyPair } from '@ferry/crypto';
import type { CoreHarness } from '../../support/core-harness';
import { TOKENS } from '../../support/core-harness';
import { expectRefused } from '../../support/ops-helpers';

/** Every admin command, with bad input refused (4xx) and nothing written. carol is the seed's admin. */
export function adminApiSuite(get: () => CoreHarness): void {
  const admin = (method: string, path: string, body?: unknown, token = TOKENS.carol) => get().api(token, method, `/api/admin${path}`, body);
  const lastAudit = async () => (await admin('GET', '/audit?limit=1')).body.items[0];

  it('refuses every admin route to non-admins with 403 FORBIDDEN, changing nothing', async () => {
    const h = get();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/users'],
      ['POST', '/users', { name: 'mallory' }],
      ['PATCH', '/users/alice', { admin: true }],
      ['GET', '/tokens'],
      ['POST', '/tokens', { user: 'alice' }],
      ['POST', '/tokens/00000000-0000-4000-8000-000000000000/revoke'],
      ['GET', '/projects'],
      ['POST', '/projects', { name: 'p' }],
      ['PUT', '/projects/climate/members/alice'],
      ['DELETE', '/projects/climate/members/bob'],
      ['GET', '/drives'],
      ['POST', '/drives', { id: 'x', name: 'x', provider: 'provider-a', gatewayDrive: 'x' }],
      ['PATCH', '/drives/a-data', { name: 'mine' }],
      ['DELETE', '/drives/a-data'],
      ['GET', '/acl'],
      ['POST', '/acl/grant', { drive: 'b-inbox', user: 'alice', permissions: ['ADMIN'] }],
      ['POST', '/acl/revoke', { drive: 'a-data', user: 'alice', permissions: ['READ'] }],
      ['GET', '/mappings'],
      ['PUT', '/mappings', { user: 'alice', provider: 'provider-a', identity: 'root' }],
      ['DELETE', '/mappings/alice/provider-a'],
      ['GET', '/providers'],
      ['POST', '/providers', { id: 'evil', name: 'Evil', url: 'http://127.0.0.1:1' }],
      ['PATCH', '/providers/provider-a', { url: 'http://127.0.0.1:1' }],
      ['PUT', '/providers/provider-a/keys', { signPublicKey: generateSigningKeyPair().publicKey, boxPublicKey: generateBoxKeyPair().publicKey }],
      ['DELETE', '/providers/provider-a/keys'],
      ['POST', '/providers/provider-b/refresh', {}],
      ['GET', '/audit'],
    ];
    for (const [method, path, body] of routes) {
      for (const token of [TOKENS.alice, TOKENS.bob]) {
        await expectRefused(h, () => admin(method, path, body, token), 403, 'FORBIDDEN');
      }
    }
    await expectRefused(h, () => admin('GET', '/users', undefined, 'no-such-token-123'), 401, 'UNAUTHENTICATED');
  });

  it('users: lists, creates, grants and revokes admin, disables and enables', async () => {
    const h = get();
    const list = (await admin('GET', '/users')).body;
    expect(list.map((u: any) => [u.name, u.admin, u.disabled])).toEqual(
      expect.arrayContaining([
        ['alice', false, false],
        ['carol', true, false],
      ]),
    );
    expect(list.find((u: any) => u.name === 'alice').activeTokens).toBe(1);

    const created = await admin('POST', '/users', { name: 'dave' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'dave', admin: false, disabled: false, activeTokens: 0, createdAt: expect.any(String) });
    expect(await lastAudit()).toMatchObject({ actor: 'carol', action: 'user.create', target: 'user:dave', details: { admin: false } });

    await expectRefused(h, () => admin('POST', '/users', { name: 'dave' }), 409, 'ALREADY_EXISTS');
    await expectRefused(h, () => admin('POST', '/users', { name: 'bad name' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/users', { name: '' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/users', {}), 400, 'VALIDATION_FAILED');
    const typo = await expectRefused(h, () => admin('POST', '/users', { name: 'erin', admn: true }), 400, 'VALIDATION_FAILED');
    expect(typo.error.message).toMatch(/admn/);
    await expectRefused(h, () => admin('POST', '/users', { name: 'erin', admin: 'yes' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/users', '[1,2'), 400, 'VALIDATION_FAILED');

    expect((await admin('PATCH', '/users/dave', { admin: true })).body).toMatchObject({ name: 'dave', admin: true });
    expect((await admin('PATCH', '/users/dave', { admin: false })).body.admin).toBe(false);
    await expectRefused(h, () => admin('PATCH', '/users/nobody', { admin: true }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('PATCH', '/users/dave', {}), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PATCH', '/users/dave', { disabled: 'no' }), 400, 'VALIDATION_FAILED');
    // no admin can lock herself out
    await expectRefused(h, () => admin('PATCH', '/users/carol', { admin: false }), 409, 'INVALID_STATE');
    await expectRefused(h, () => admin('PATCH', '/users/carol', { disabled: true }), 409, 'INVALID_STATE');

    // disabling refuses the user's tokens at once; enabling accepts them again
    expect((await admin('PATCH', '/users/bob', { disabled: true })).body.disabled).toBe(true);
    expect((await h.api(TOKENS.bob, 'GET', '/api/me')).status).toBe(401);
    expect(await lastAudit()).toMatchObject({ action: 'user.update', target: 'user:bob', details: { disabled: true } });
    expect((await admin('PATCH', '/users/bob', { disabled: false })).body.disabled).toBe(false);
    expect((await h.api(TOKENS.bob, 'GET', '/api/me')).status).toBe(200);
  });

  it('tokens: the clear token once, lists without secrets, revokes by id', async () => {
    const h = get();
    await admin('POST', '/users', { name: 'frank' });
    const created = await admin('POST', '/tokens', { user: 'frank', label: 'laptop' });
    expect(created.status).toBe(201);
    const { token, id } = created.body;
    expect(token).toMatch(/^ferry_[A-Za-z0-9_-]{40,}$/);
    expect((await h.api(token, 'GET', '/api/me')).body).toEqual({ name: 'frank', admin: false });

    const list = await admin('GET', '/tokens?user=frank');
    expect(list.body).toEqual([{ id, user: 'frank', label: 'laptop', revoked: false, createdAt: expect.any(String), revokedAt: null }]);
    const everything = JSON.stringify((await admin('GET', '/tokens')).body) + JSON.stringify((await admin('GET', '/audit?limit=500')).body);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(createHash('sha256').update(token).digest('hex'));
    expect(everything).not.toContain(createHash('sha256').update(TOKENS.alice).digest('hex'));
    expect(await lastAudit()).toMatchObject({ action: 'token.create', target: 'user:frank', details: { label: 'laptop' } });

    await expectRefused(h, () => admin('POST', '/tokens', { user: 'nobody' }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/tokens', { user: 'frank', label: 'x'.repeat(201) }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/tokens', { user: 'frank', token: 'my-own-choice-123456' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('GET', '/tokens?owner=frank'), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/tokens/not-a-uuid/revoke'), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/tokens/00000000-0000-4000-8000-000000000000/revoke'), 404, 'NOT_FOUND');

    const revoked = await admin('POST', `/tokens/${id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, revoked: true, revokedAt: expect.any(String) });
    expect((await h.api(token, 'GET', '/api/me')).status).toBe(401);
    await expectRefused(h, () => admin('POST', `/tokens/${id}/revoke`), 409, 'INVALID_STATE');
    // seed tokens have ids too
    const alices = (await admin('GET', '/tokens?user=alice')).body;
    expect(alices).toEqual([expect.objectContaining({ user: 'alice', label: 'seed', revoked: false })]);
  });

  it('projects: create, add and remove members (members get the project’s drive permissions)', async () => {
    const h = get();
    expect((await admin('GET', '/projects')).body).toEqual([{ name: 'climate', members: ['bob'], createdAt: expect.any(String) }]);
    expect((await admin('POST', '/projects', { name: 'ocean' })).status).toBe(201);
    await expectRefused(h, () => admin('POST', '/projects', { name: 'ocean' }), 409, 'ALREADY_EXISTS');
    await expectRefused(h, () => admin('POST', '/projects', { name: 'a/b' }), 400, 'VALIDATION_FAILED');

    const drivesOf = async (token: string) => (await h.api(token, 'GET', '/api/drives')).body.map((d: any) => d.id);
    await admin('POST', '/users', { name: 'gina' });
    const gina = (await admin('POST', '/tokens', { user: 'gina' })).body.token;
    expect(await drivesOf(gina)).toEqual([]);
    expect((await admin('PUT', '/projects/climate/members/gina')).body).toEqual({ name: 'climate', members: ['bob', 'gina'], createdAt: expect.any(String) });
    expect(await drivesOf(gina)).toEqual(['a-data']); // climate has READ on a-data
    expect(await lastAudit()).toMatchObject({ action: 'project.member.add', target: 'project:climate', details: { user: 'gina' } });
    // adding again changes nothing, and is not audited again
    const before = (await admin('GET', '/audit?limit=500')).body.items.length;
    expect((await admin('PUT', '/projects/climate/members/gina')).status).toBe(200);
    expect((await admin('GET', '/audit?limit=500')).body.items.length).toBe(before);

    await expectRefused(h, () => admin('PUT', '/projects/nope/members/gina'), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('PUT', '/projects/climate/members/nobody'), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('DELETE', '/projects/ocean/members/gina'), 404, 'NOT_FOUND');
    expect((await admin('DELETE', '/projects/climate/members/gina')).body.members).toEqual(['bob']);
    expect(await drivesOf(gina)).toEqual([]);
  });

  it('drives: create, update, delete (with its ACL), with provider checks', async () => {
    const h = get();
    const d = { id: 'a-scratch', name: 'A scratch', provider: 'provider-a', gatewayDrive: 'scratch' };
    const created = await admin('POST', '/drives', d);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'a-scratch', name: 'A scratch', providerId: 'provider-a', gatewayDrive: 'scratch', acl: [] });
    await expectRefused(h, () => admin('POST', '/drives', d), 409, 'ALREADY_EXISTS');
    await expectRefused(h, () => admin('POST', '/drives', { ...d, id: 'other', provider: 'provider-z' }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/drives', { ...d, id: 'Not A Slug' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/drives', { id: 'other', name: 'x' }), 400, 'VALIDATION_FAILED');

    const updated = await admin('PATCH', '/drives/a-scratch', { name: 'A scratch space', gatewayDrive: 'scratch2' });
    expect(updated.body).toMatchObject({ name: 'A scratch space', gatewayDrive: 'scratch2', providerId: 'provider-a' });
    expect(await lastAudit()).toMatchObject({ action: 'drive.update', target: 'drive:a-scratch', details: { name: 'A scratch space', gatewayDrive: 'scratch2' } });
    await expectRefused(h, () => admin('PATCH', '/drives/a-scratch', {}), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PATCH', '/drives/a-scratch', { provider: 'provider-z' }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('PATCH', '/drives/nope', { name: 'x' }), 404, 'NOT_FOUND');

    await admin('POST', '/acl/grant', { drive: 'a-scratch', user: 'alice', permissions: ['READ'] });
    expect((await h.api(TOKENS.alice, 'GET', '/api/drives')).body.map((x: any) => x.id)).toContain('a-scratch');
    const listed = (await admin('GET', '/drives')).body.find((x: any) => x.id === 'a-scratch');
    expect(listed.acl).toEqual([{ drive: 'a-scratch', user: 'alice', project: null, permission: 'READ' }]);
    const deleted = await admin('DELETE', '/drives/a-scratch');
    expect(deleted.body.acl).toEqual([{ drive: 'a-scratch', user: 'alice', project: null, permission: 'READ' }]);
    expect((await h.api(TOKENS.alice, 'GET', '/api/drives')).body.map((x: any) => x.id)).not.toContain('a-scratch');
    expect(((await h.sql(`SELECT count(*)::int AS n FROM drive_acl WHERE drive_id = 'a-scratch'`)) as any[])[0].n).toBe(0);
    await expectRefused(h, () => admin('DELETE', '/drives/a-scratch'), 404, 'NOT_FOUND');
  });

  it('acl: grant and revoke for users and projects, all permissions of a request or none', async () => {
    const h = get();
    const bobDrives = async () => (await h.api(TOKENS.bob, 'GET', '/api/drives')).body.map((d: any) => [d.id, d.permissions]);
    expect(await bobDrives()).not.toContainEqual(['b-inbox', expect.anything()]);
    const granted = await admin('POST', '/acl/grant', { drive: 'b-inbox', user: 'bob', permissions: ['READ', 'WRITE', 'READ'] });
    expect(granted.status).toBe(200);
    expect(granted.body.filter((a: any) => a.user === 'bob').map((a: any) => a.permission)).toEqual(['READ', 'WRITE']);
    expect(await bobDrives()).toContainEqual(['b-inbox', ['READ', 'WRITE']]);
    expect(await lastAudit()).toMatchObject({ action: 'acl.grant', target: 'drive:b-inbox', details: { user: 'bob', permissions: ['READ', 'WRITE'] } });

    await admin('POST', '/acl/grant', { drive: 'b-public', project: 'climate', permissions: ['WRITE'] });
    expect(await bobDrives()).toContainEqual(['b-public', ['READ', 'WRITE']]);
    expect((await admin('GET', '/acl?drive=b-public')).body).toEqual([
      { drive: 'b-public', user: 'bob', project: null, permission: 'READ' },
      { drive: 'b-public', user: null, project: 'climate', permission: 'WRITE' },
    ]);

    const bad: unknown[] = [
      { drive: 'b-inbox', user: 'bob', project: 'climate', permissions: ['READ'] },
      { drive: 'b-inbox', permissions: ['READ'] },
      { drive: 'b-inbox', user: 'bob', permissions: [] },
      { drive: 'b-inbox', user: 'bob', permissions: ['EXECUTE'] },
      { drive: 'b-inbox', user: 'bob', permissions: 'READ' },
      { drive: 'b-inbox', user: 'bob', permissions: ['READ'], expires: 'never' },
    ];
    for (const body of bad) await expectRefused(h, () => admin('POST', '/acl/grant', body), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('POST', '/acl/grant', { drive: 'nope', user: 'bob', permissions: ['READ'] }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/acl/grant', { drive: 'b-inbox', user: 'nobody', permissions: ['READ'] }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/acl/grant', { drive: 'b-inbox', project: 'nope', permissions: ['READ'] }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('POST', '/acl/revoke', { drive: 'b-inbox', user: 'bob', permissions: ['ADMIN'] }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('GET', '/acl?drive=nope'), 404, 'NOT_FOUND');

    const revoked = await admin('POST', '/acl/revoke', { drive: 'b-inbox', user: 'bob', permissions: ['READ', 'WRITE'] });
    expect(revoked.body.some((a: any) => a.user === 'bob')).toBe(false);
    await admin('POST', '/acl/revoke', { drive: 'b-public', project: 'climate', permissions: ['WRITE'] });
    expect(await bobDrives()).toContainEqual(['b-public', ['READ']]);
  });

  it('mappings: set, replace and remove identities (without one, browsing is refused)', async () => {
    const h = get();
    expect((await admin('GET', '/mappings?user=alice')).body).toEqual([
      { user: 'alice', provider: 'provider-a', identity: 'alice' },
      { user: 'alice', provider: 'provider-b', identity: 'alice_b' },
    ]);
    expect((await admin('PUT', '/mappings', { user: 'bob', provider: 'provider-b', identity: 'robert' })).body).toEqual({ user: 'bob', provider: 'provider-b', identity: 'robert' });
    expect((await h.api(TOKENS.bob, 'GET', '/api/drives/b-public/files')).status).toBe(200);
    expect(h.gwB.callsTo('/browse').pop()!.body).toMatchObject({ identity: 'robert' });
    await admin('PUT', '/mappings', { user: 'bob', provider: 'provider-b', identity: 'rob' });
    expect((await admin('GET', '/mappings?user=bob&provider=provider-b')).body).toEqual([{ user: 'bob', provider: 'provider-b', identity: 'rob' }]);

    await expectRefused(h, () => admin('PUT', '/mappings', { user: 'bob', provider: 'provider-z', identity: 'x' }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('PUT', '/mappings', { user: 'nobody', provider: 'provider-b', identity: 'x' }), 404, 'NOT_FOUND');
    await expectRefused(h, () => admin('PUT', '/mappings', { user: 'bob', provider: 'provider-b', identity: '' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PUT', '/mappings', { user: 'bob', provider: 'provider-b' }), 400, 'VALIDATION_FAILED');

    expect((await admin('DELETE', '/mappings/bob/provider-b')).body).toEqual({ user: 'bob', provider: 'provider-b', removed: true });
    expect(await lastAudit()).toMatchObject({ action: 'mapping.remove', target: 'user:bob', details: { provider: 'provider-b' } });
    expect((await h.api(TOKENS.bob, 'GET', '/api/drives/b-public/files')).body.error.code).toBe('NO_IDENTITY_MAPPING');
    await expectRefused(h, () => admin('DELETE', '/mappings/bob/provider-b'), 404, 'NOT_FOUND');
  });

  it('providers: register, move, pin, unpin and refresh keys from /.well-known', async () => {
    const h = get();
    const listed = (await admin('GET', '/providers')).body;
    expect(listed.find((p: any) => p.id === 'provider-a')).toMatchObject({ keysPinned: true, signPublicKey: h.gwA.sign.publicKey });

    // provider-c is the B gateway under another id: its descriptor says provider-b
    const c = await admin('POST', '/providers', { id: 'provider-c', name: 'Provider C', url: `${h.gwB.url}/` });
    expect(c.status).toBe(201);
    expect(c.body).toEqual({ id: 'provider-c', name: 'Provider C', url: h.gwB.url, signPublicKey: null, boxPublicKey: null, keysPinned: false, mechanisms: [], fetchedAt: null });
    await expectRefused(h, () => admin('POST', '/providers/provider-c/refresh', {}), 502, 'PROVIDER_ERROR');
    await expectRefused(h, () => admin('POST', '/providers', { id: 'provider-c', name: 'C', url: h.gwB.url }), 409, 'ALREADY_EXISTS');
    const key = generateSigningKeyPair().publicKey;
    const bad: unknown[] = [
      { id: 'provider-d', name: 'D', url: 'ftp://127.0.0.1/' },
      { id: 'provider-d', name: 'D', url: 'not a url' },
      { id: 'provider-d', name: 'D', url: 'http://127.0.0.1:1', signPublicKey: key },
      { id: 'provider-d', name: 'D', url: 'http://127.0.0.1:1', signPublicKey: key, boxPublicKey: 'c2hvcnQ=' },
      { id: 'Provider D', name: 'D', url: 'http://127.0.0.1:1' },
    ];
    for (const body of bad) await expectRefused(h, () => admin('POST', '/providers', body), 400, 'VALIDATION_FAILED');

    // refresh an unpinned provider: keys and mechanisms fetched now
    const b = await admin('POST', '/providers/provider-b/refresh', {});
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({
      provider: { id: 'provider-b', keysPinned: false, signPublicKey: h.gwB.sign.publicKey, mechanisms: ['test'], fetchedAt: expect.any(String) },
      published: { signPublicKey: h.gwB.sign.publicKey, boxPublicKey: h.gwB.box.publicKey, mechanisms: ['test'] },
      matchesPinned: null,
    });
    expect(await lastAudit()).toMatchObject({ action: 'provider.keys.refresh', target: 'provider:provider-b', details: { pin: false } });
    // a pinned provider keeps its keys and says whether they still match
    expect((await admin('POST', '/providers/provider-a/refresh', {})).body.matchesPinned).toBe(true);

    // pin keys by hand, refuse half a pair, unpin
    await admin('POST', '/providers', { id: 'provider-e', name: 'E', url: h.gwA.url });
    const wrong = { signPublicKey: generateSigningKeyPair().publicKey, boxPublicKey: generateBoxKeyPair().publicKey };
    expect((await admin('PUT', '/providers/provider-e/keys', wrong)).body).toMatchObject({ keysPinned: true, ...wrong });
    await expectRefused(h, () => admin('PUT', '/providers/provider-e/keys', { signPublicKey: wrong.signPublicKey }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PUT', '/providers/nope/keys', wrong), 404, 'NOT_FOUND');
    expect((await admin('DELETE', '/providers/provider-e/keys')).body).toMatchObject({ keysPinned: false, signPublicKey: null, boxPublicKey: null });

    // move B's registration to a dead URL and back: fetched keys are forgotten with the old address
    const moved = await admin('PATCH', '/providers/provider-b', { url: 'http://127.0.0.1:9' });
    expect(moved.body).toMatchObject({ url: 'http://127.0.0.1:9', signPublicKey: null, fetchedAt: null });
    await expectRefused(h, () => admin('POST', '/providers/provider-b/refresh', {}), 502, 'PROVIDER_UNAVAILABLE');
    await expectRefused(h, () => admin('PATCH', '/providers/provider-b', { url: 'gopher://x' }), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PATCH', '/providers/provider-b', {}), 400, 'VALIDATION_FAILED');
    await expectRefused(h, () => admin('PATCH', '/providers/nope', { name: 'x' }), 404, 'NOT_FOUND');
    await admin('PATCH', '/providers/provider-b', { url: h.gwB.url });
    // pin what B publishes now
    const pinned = await admin('POST', '/providers/provider-b/refresh', { pin: true });
    expect(pinned.body.provider).toMatchObject({ keysPinned: true, signPublicKey: h.gwB.sign.publicKey, boxPublicKey: h.gwB.box.publicKey });
    await expectRefused(h, () => admin('POST', '/providers/provider-b/refresh', { pin: 'yes' }), 400, 'VALIDATION_FAILED');
    // transfers still work with the pinned keys
    expect((await h.createTransfer()).state).toBe('AWAITING_TRIGGER');
  });

  it('recorded every kind of action along the way, each by the user who took it', async () => {
    const h = get();
    // the suites above took every action once at least; and a few left to do here
    await admin('POST', '/projects', { name: 'tmp-project' });
    await admin('PUT', '/projects/tmp-project/members/alice');
    await admin('DELETE', '/projects/tmp-project/members/alice');
    const entries: any[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await admin('GET', `/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      entries.push(...r.body.items);
      cursor = r.body.nextCursor;
    } while (cursor);
    const seen = new Set(entries.map((e) => e.action));
    expect(AUDIT_ACTIONS.filter((a) => !seen.has(a))).toEqual([]);
    for (const e of entries) {
      const researcherAction = e.action.startsWith('transfer.') || e.action.startsWith('task.');
      if (!researcherAction) expect(e.actor).toBe('carol');
      expect(typeof e.requestId).toBe('string');
    }
    expect(entries.length).toBe(((await h.sql(`SELECT count(*)::int AS n FROM audit_log`)) as any[])[0].n);
  });
}
