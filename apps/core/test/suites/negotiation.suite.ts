import { verifyObject } from '@ferry/crypto';
import type { CoreHarness } from '../support/core-harness';
import { TOKENS, waitFor } from '../support/core-harness';

export function negotiationSuite(get: () => CoreHarness): void {
  const countTasks = async () => ((await get().sql(`SELECT count(*)::int AS n FROM tasks`)) as Array<{ n: number }>)[0].n;

  it('negotiates source then destination and returns both signed, sealed offers (AWAITING_TRIGGER)', async () => {
    const h = get();
    const view = await h.createTransfer();
    expect(view.state).toBe('AWAITING_TRIGGER');
    expect(view.task.state).toBe('AWAITING_TRIGGER');
    expect(view.mechanism).toBe('test');
    expect(view.source).toEqual({ driveId: 'a-data', path: 'results/run-1', providerId: 'provider-a' });
    expect(view.offers.map((o) => o.role)).toEqual(['source', 'destination']);
    for (const o of view.offers) {
      const gw = o.providerId === 'provider-a' ? h.gwA : h.gwB;
      expect(o.gateway).toEqual({ boxPublicKey: gw.box.publicKey, signPublicKey: gw.sign.publicKey });
      const signed = { transferId: view.id, role: o.role, providerId: o.providerId, mechanism: o.mechanism, publicParams: o.publicParams, sealed: o.sealed, userPublicKey: view.userPublicKey };
      expect(verifyObject(signed, o.signature, gw.sign.publicKey)).toBe(true);
    }
    const prepares = h.calls.filter((c) => c.path.endsWith('/prepare') && c.body.transferId === view.id);
    expect(prepares.map((c) => [c.provider, c.body.role])).toEqual([
      ['provider-a', 'source'],
      ['provider-b', 'destination'],
    ]);
    expect(prepares[0].body).toMatchObject({ identity: 'alice', drive: 'data', path: 'results/run-1', peer: { providerId: 'provider-b' } });
    expect(prepares[1].body).toMatchObject({ identity: 'alice_b', drive: 'inbox', path: 'incoming', mechanism: 'test', peerPublicParams: { gateway: 'provider-a', role: 'source' } });
    expect(new Date(view.triggerDeadline).getTime()).toBeGreaterThan(Date.now());
  });

  it('stores only ciphertext of the sealed parameters', async () => {
    const h = get();
    const view = await h.createTransfer();
    const rows = (await h.sql(`SELECT offers::text AS o FROM transfers WHERE id = $1`, [view.id])) as Array<{ o: string }>;
    expect(rows[0].o).not.toMatch(/triggerToken|forPeer/);
    expect(rows[0].o).toContain(view.offers[0].sealed.ct);
  });

  it('refuses without READ on the source or WRITE on the destination (403 FORBIDDEN), nothing stored', async () => {
    const h = get();
    const before = await countTasks();
    const noRead = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'b-inbox', path: 'x' }, destination: { driveId: 'a-data', path: '' } }));
    expect(noRead.status).toBe(403);
    expect(noRead.body.error.code).toBe('FORBIDDEN');
    expect(noRead.body.error.message).toContain('READ');
    const noWrite = await h.api(TOKENS.bob, 'POST', '/api/transfers', h.transferRequest({ destination: { driveId: 'b-public', path: '' } }));
    expect(noWrite.status).toBe(403);
    expect(noWrite.body.error.message).toContain('WRITE');
    expect(await countTasks()).toBe(before);
  });

  it('authorizes in one look-up but reports in the order of the checks: source drive, destination drive, identities', async () => {
    const h = get();
    const before = await countTasks();
    const noSource = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'no-such-drive', path: 'x' }, destination: { driveId: 'no-such-either', path: '' } }));
    expect(noSource.status).toBe(404);
    expect(noSource.body.error.message).toContain('source drive no-such-drive');
    const noDestination = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ destination: { driveId: 'no-such-either', path: '' } }));
    expect(noDestination.status).toBe(404);
    expect(noDestination.body.error.message).toContain('destination drive no-such-either');
    // READ missing on the source comes before the destination's problems
    const noRead = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'b-inbox', path: 'x' }, destination: { driveId: 'no-such-either', path: '' } }));
    expect(noRead.status).toBe(403);
    expect(noRead.body.error).toMatchObject({ code: 'FORBIDDEN', details: { driveId: 'b-inbox', permission: 'READ' } });
    expect(await countTasks()).toBe(before);
  });

  it('refuses a user without an identity at a provider (403 NO_IDENTITY_MAPPING); ADMIN implies WRITE', async () => {
    const h = get();
    const r = await h.api(TOKENS.carol, 'POST', '/api/transfers', h.transferRequest());
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'NO_IDENTITY_MAPPING', details: { providerId: 'provider-b' } });
  });

  it('refuses path traversal in the source and in the destination (400 BAD_PATH)', async () => {
    const h = get();
    const before = await countTasks();
    for (const over of [
      { source: { driveId: 'a-data', path: 'results/../../etc/passwd' } },
      { destination: { driveId: 'b-inbox', path: '../other-drive' } },
      { destination: { driveId: 'b-inbox', path: 'a\\..\\b' } },
    ]) {
      const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest(over));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('BAD_PATH');
    }
    expect(await countTasks()).toBe(before);
  });

  it('refuses a malformed researcher key (400 BAD_KEY) and malformed requests (400 VALIDATION_FAILED)', async () => {
    const h = get();
    const k = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ userPublicKey: 'AAAA' }));
    expect(k.status).toBe(400);
    expect(k.body.error.code).toBe('BAD_KEY');
    const v = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ options: { verify: 'sometimes' } }));
    expect(v.status).toBe(400);
    expect(v.body.error.code).toBe('VALIDATION_FAILED');
    expect(v.body.error.message).toContain('options.verify');
    const m = await h.api(TOKENS.alice, 'POST', '/api/transfers', { source: { driveId: 'a-data' } });
    expect(m.body.error.code).toBe('VALIDATION_FAILED');
    const u = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'nope', path: '' } }));
    expect(u.status).toBe(404);
  });

  it('a destination policy rejection ends REJECTED (422) with the reason; only the task is stored', async () => {
    const h = get();
    h.gwB.prepare = { accept: false, code: 'REJECTED_BY_POLICY', reason: 'no agreement with provider-a' };
    const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest());
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('REJECTED_BY_POLICY');
    expect(r.body.error.message).toContain('no agreement with provider-a');
    const id = r.body.error.details.transferId;
    const view = (await h.api(TOKENS.alice, 'GET', `/api/transfers/${id}`)).body;
    expect(view.state).toBe('REJECTED');
    expect(view.rejection).toEqual({ providerId: 'provider-b', code: 'REJECTED_BY_POLICY', reason: 'no agreement with provider-a' });
    expect(view.offers).toEqual([]);
    expect(view.task.finishedAt).not.toBeNull();
    // the source had prepared: it is told to let go
    await waitFor('source finalize', async () => (h.gwA.callsTo('/finalize', id)[0] ? true : undefined));
    expect(h.gwA.callsTo('/finalize', id)[0].body).toMatchObject({ outcome: 'failed', role: 'source' });
  });

  it('a source rejection (NO_COMMON_MECHANISM) never consults the destination', async () => {
    const h = get();
    h.gwA.prepare = { accept: false, code: 'NO_COMMON_MECHANISM', reason: 'no shared mechanism' };
    const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ options: { mechanism: 'globus' } }));
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('NO_COMMON_MECHANISM');
    const id = r.body.error.details.transferId;
    expect(h.gwB.callsTo('/prepare').filter((c) => c.body.transferId === id)).toEqual([]);
    expect(h.gwA.callsTo('/prepare').find((c) => c.body.transferId === id)!.body.options).toEqual({ verify: 'size', mechanism: 'globus' });
  });

  it('an unreachable gateway gives 502 PROVIDER_UNAVAILABLE and a FAILED task', async () => {
    const h = get();
    await h.gwB.stop();
    const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest());
    expect(r.status).toBe(502);
    expect(r.body.error.code).toBe('PROVIDER_UNAVAILABLE');
    const view = (await h.api(TOKENS.alice, 'GET', `/api/transfers/${r.body.error.details.transferId}`)).body;
    expect(view.state).toBe('FAILED');
    expect(view.task.error.code).toBe('PROVIDER_UNAVAILABLE');
  });
}
