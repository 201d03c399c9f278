import type { ProgressReport, TunnelView } from '@ferry/contracts';
import type { CoreHarness } from '../support/core-harness';
import { TOKENS, waitFor } from '../support/core-harness';

/**
 * Tunnels in the core, against test gateways: the request's checks, the negotiation (tunnel spec in
 * both prepares), their own trigger endpoint, figures and events from reports (kept per task,
 * trimmed), cancel and lifetime end as CLOSED with both gateways finalized, discovery.
 */
export function tunnelsSuite(get: () => CoreHarness): void {
  const request = (over: Record<string, unknown> = {}) => ({
    initiator: { providerId: 'provider-a', accessPoint: 'a-lan' },
    listener: { providerId: 'provider-b', accessPoint: 'b-lan' },
    target: '127.0.0.1:5432',
    lifetimeMinutes: 0.5,
    label: 'db',
    userPublicKey: get().researcher.publicKey,
    ...over,
  });
  const create = async (over: Record<string, unknown> = {}, token = TOKENS.alice) => get().api(token, 'POST', '/api/tunnels', request(over));
  const open = async (): Promise<TunnelView> => {
    const h = get();
    const c = await create();
    expect(c.status).toBe(201);
    const r = await h.api(TOKENS.alice, 'POST', `/api/tunnels/${c.body.id}/trigger`, h.triggersFor(c.body));
    expect(r.status).toBe(200);
    return r.body as TunnelView;
  };
  const figures = { bytesDone: 0, bytesTotal: null, filesDone: 0, filesTotal: null, rate: null, eta: null, message: null };
  const report = (id: string, role: 'source' | 'destination', seq: number, phase: ProgressReport['phase'], extra: Partial<ProgressReport> = {}): ProgressReport => ({
    transferId: id,
    role,
    seq,
    phase,
    progress: figures,
    ...extra,
  });
  const event = (n: number, type = 'connection-opened') => ({ at: new Date(Date.now() + n).toISOString(), type, message: `event ${n}` });

  it('negotiates like a transfer: the initiator as source, then the listener, each with its access point', async () => {
    const h = get();
    const c = await create();
    expect(c.status).toBe(201);
    const view = c.body as TunnelView;
    expect(view).toMatchObject({
      state: 'AWAITING_TRIGGER',
      initiator: { providerId: 'provider-a', accessPoint: 'a-lan' },
      listener: { providerId: 'provider-b', accessPoint: 'b-lan' },
      target: '127.0.0.1:5432',
      lifetimeMinutes: 0.5,
      label: 'db',
      listenAddress: null,
    });
    expect(view.task).toMatchObject({ kind: 'tunnel', sourceLabel: 'a-lan@provider-a', destinationLabel: '127.0.0.1:5432 via b-lan@provider-b' });
    expect(view.offers.map((o) => o.role)).toEqual(['source', 'destination']);
    const prepares = h.calls.filter((x) => x.path.endsWith('/prepare') && x.body.transferId === view.id);
    expect(prepares.map((x) => [x.provider, x.body.role])).toEqual([
      ['provider-a', 'source'],
      ['provider-b', 'destination'],
    ]);
    expect(prepares[0].body).toMatchObject({ identity: 'alice', drive: '', path: '', options: { mechanism: 'stream-tunnel', label: 'db' }, tunnel: { accessPoint: 'a-lan', target: '127.0.0.1:5432', lifetimeMinutes: 0.5 } });
    expect(prepares[1].body).toMatchObject({ identity: 'alice_b', drive: '', tunnel: { accessPoint: 'b-lan', target: '127.0.0.1:5432', lifetimeMinutes: 0.5 } });
    // each kind at its own endpoints
    expect((await h.api(TOKENS.alice, 'GET', `/api/transfers/${view.id}`)).status).toBe(404);
    expect((await h.api(TOKENS.alice, 'POST', `/api/transfers/${view.id}/trigger`, h.triggersFor(c.body))).status).toBe(404);
    const x = await h.createTransfer();
    expect((await h.api(TOKENS.alice, 'GET', `/api/tunnels/${x.id}`)).status).toBe(404);
  });

  it.each([
    [{ target: '127.0.0.1' }, 400, 'VALIDATION_FAILED'],
    [{ target: 'a b:80' }, 400, 'VALIDATION_FAILED'],
    [{ lifetimeMinutes: 0 }, 400, 'VALIDATION_FAILED'],
    [{ lifetimeMinutes: 10081 }, 400, 'VALIDATION_FAILED'],
    [{ initiator: { providerId: 'provider-a', accessPoint: 'a b' } }, 400, 'VALIDATION_FAILED'],
    [{ listener: { providerId: 'provider-a', accessPoint: 'x' } }, 400, 'VALIDATION_FAILED'],
    [{ userPublicKey: 'short' }, 400, 'BAD_KEY'],
    [{ listener: { providerId: 'provider-z', accessPoint: 'x' } }, 404, 'NOT_FOUND'],
  ])('refuses %j with %i %s and stores nothing', async (over, status, code) => {
    const h = get();
    const before = ((await h.sql(`SELECT count(*)::int AS n FROM tasks WHERE kind = 'tunnel'`)) as Array<{ n: number }>)[0].n;
    const r = await create(over);
    expect([r.status, r.body.error.code]).toEqual([status, code]);
    expect(((await h.sql(`SELECT count(*)::int AS n FROM tasks WHERE kind = 'tunnel'`)) as Array<{ n: number }>)[0].n).toBe(before);
  });

  it('needs an identity at both providers (bob has none at B)', async () => {
    const r = await create({ userPublicKey: get().researcher.publicKey }, TOKENS.bob);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'NO_IDENTITY_MAPPING', details: { providerId: 'provider-b' } });
  });

  it("passes the listener's refusal on as 422 with its reason; the tunnel stays readable as REJECTED", async () => {
    const h = get();
    h.gwB.prepare = { accept: false, code: 'REJECTED_BY_POLICY', reason: "target 10.0.0.1:22 is not allowed at access point 'b-lan' (allowed: 127.0.0.1:*)" };
    const r = await create({ target: '10.0.0.1:22' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('REJECTED_BY_POLICY');
    expect(r.body.error.message).toBe("provider provider-b rejected the tunnel: target 10.0.0.1:22 is not allowed at access point 'b-lan' (allowed: 127.0.0.1:*)");
    const t = (await h.api(TOKENS.alice, 'GET', `/api/tunnels/${r.body.error.details.tunnelId}`)).body as TunnelView;
    expect(t.state).toBe('REJECTED');
    expect(t.rejection).toMatchObject({ providerId: 'provider-b', code: 'REJECTED_BY_POLICY' });
    // A had prepared: it is told
    await waitFor('finalize failed at A', async () => (h.gwA.callsTo('/finalize', t.id).length ? true : undefined));
    expect(h.gwA.callsTo('/finalize', t.id)[0].body).toMatchObject({ outcome: 'failed', role: 'source' });
  });

  it('records figures from the initiator and events from both sides; GET shows them, lists leave events out, old ones are trimmed', async () => {
    const h = get();
    const t = await open();
    expect(t.state).toBe('STARTING');
    const tunnel = { listenAddress: '127.0.0.1:40001', connectionsOpen: 1, connectionsTotal: 3, bytesAtoB: 10, bytesBtoA: 20 };
    expect((await h.gwA.report(h.url, report(t.id, 'source', 1, 'running', { tunnel, events: [event(1, 'listening')] }))).body).toEqual({ applied: true, state: 'RUNNING' });
    expect((await h.gwB.report(h.url, report(t.id, 'destination', 1, 'triggered', { events: [event(2, 'listening')], tunnel: { ...tunnel, listenAddress: null } }))).status).toBe(200);
    const view = (await h.api(TOKENS.alice, 'GET', `/api/tunnels/${t.id}`)).body as TunnelView;
    expect(view.listenAddress).toBe('127.0.0.1:40001');
    expect(view.task.tunnel).toEqual(tunnel); // the initiator's figures, not the listener's
    expect(view.events!.map((e) => [e.side, e.type, e.message])).toEqual([
      ['initiator', 'listening', 'event 1'],
      ['listener', 'listening', 'event 2'],
    ]);
    expect((await h.task(t.id)).events).toEqual(view.events);
    const list = (await h.api(TOKENS.alice, 'GET', '/api/tunnels?limit=500')).body;
    const listed = list.items.find((x: TunnelView) => x.id === t.id);
    expect(listed.listenAddress).toBe('127.0.0.1:40001');
    expect(listed.events).toBeUndefined();
    expect((await h.api(TOKENS.alice, 'GET', '/api/tasks?kind=tunnel&limit=500')).body.items.find((x: { id: string }) => x.id === t.id).events).toBeUndefined();

    // 150 + 100 more: only the latest 200 are kept
    await h.gwB.report(h.url, report(t.id, 'destination', 2, 'triggered', { events: Array.from({ length: 150 }, (_, i) => event(100 + i)) }));
    await h.gwB.report(h.url, report(t.id, 'destination', 3, 'triggered', { events: Array.from({ length: 100 }, (_, i) => event(300 + i)) }));
    const trimmed = (await h.api(TOKENS.alice, 'GET', `/api/tunnels/${t.id}`)).body as TunnelView;
    expect(trimmed.events).toHaveLength(200);
    expect(trimmed.events![0].message).toBe('event 150');
    expect(trimmed.events![199].message).toBe('event 399');
    // bob sees nothing of it
    expect((await h.api(TOKENS.bob, 'GET', `/api/tunnels/${t.id}`)).status).toBe(404);
    expect((await h.api(TOKENS.bob, 'GET', '/api/tunnels')).body.items.map((x: TunnelView) => x.id)).not.toContain(t.id);
  });

  it("closes at the end of its lifetime (the initiator's completed report) and both gateways are finalized 'succeeded'", async () => {
    const h = get();
    const t = await open();
    await h.gwA.report(h.url, report(t.id, 'source', 1, 'running'));
    const r = await h.gwA.report(h.url, report(t.id, 'source', 2, 'completed', { manifest: { verify: 'size', files: [] }, events: [event(1, 'stopped')] }));
    expect(r.body).toEqual({ applied: true, state: 'CLOSED' });
    for (const gw of [h.gwA, h.gwB]) {
      await waitFor(`finalize at ${gw.id}`, async () => (gw.callsTo('/finalize', t.id).length ? true : undefined));
      expect(gw.callsTo('/finalize', t.id)[0].body).toMatchObject({ outcome: 'succeeded' });
    }
    const closed = await h.task(t.id);
    expect(closed).toMatchObject({ state: 'CLOSED', error: null, operations: [] });
  });

  it('cancel closes it (CLOSED, not CANCELLED); events that arrive afterwards are still kept', async () => {
    const h = get();
    const t = await open();
    await h.gwA.report(h.url, report(t.id, 'source', 1, 'running'));
    const c = await h.api(TOKENS.alice, 'POST', `/api/tasks/${t.id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.body.state).toBe('CLOSED');
    for (const gw of [h.gwA, h.gwB]) {
      expect(gw.callsTo('/control', t.id).map((x) => x.body.action)).toEqual(['cancel']);
      expect(gw.callsTo('/finalize', t.id)[0].body).toMatchObject({ outcome: 'cancelled' });
    }
    const late = await h.gwA.report(h.url, report(t.id, 'source', 2, 'cancelled', { events: [event(5, 'stopped')] }));
    expect(late.body).toEqual({ applied: false, state: 'CLOSED' });
    const view = (await h.api(TOKENS.alice, 'GET', `/api/tunnels/${t.id}`)).body as TunnelView;
    expect(view.events!.map((e) => e.type)).toEqual(['stopped']);
    expect((await h.api(TOKENS.alice, 'POST', `/api/tasks/${t.id}/cancel`)).status).toBe(409);
  });

  it('lists access points of the providers where the caller has an identity; a gateway that cannot answer is listed with its error', async () => {
    const h = get();
    const aps = {
      providerId: 'provider-a',
      accessPoints: [{ id: 'a-lan', mechanism: 'stream-tunnel', initiator: { bindHost: '127.0.0.1', portRange: '40000-40009', lanSecret: false, peers: ['provider-b'] }, listener: null }],
    };
    h.gwA.accessPoints = aps;
    h.gwB.accessPoints = null;
    try {
      const r = await h.api(TOKENS.alice, 'GET', '/api/access-points');
      expect(r.status).toBe(200);
      expect(r.body).toEqual([
        { providerId: 'provider-a', providerName: 'Provider A', accessPoints: aps.accessPoints, error: null },
        { providerId: 'provider-b', providerName: 'Provider B', accessPoints: [], error: { code: 'NOT_FOUND', message: expect.stringContaining('provider provider-b') } },
      ]);
      // bob is mapped at provider-a only
      expect((await h.api(TOKENS.bob, 'GET', '/api/access-points')).body.map((p: { providerId: string }) => p.providerId)).toEqual(['provider-a']);
      // an answer that claims to be another provider is not believed
      h.gwA.accessPoints = { ...aps, providerId: 'provider-b' };
      expect((await h.api(TOKENS.alice, 'GET', '/api/access-points')).body[0].error.code).toBe('PROVIDER_ERROR');
    } finally {
      h.gwA.accessPoints = null;
    }
  });
}
