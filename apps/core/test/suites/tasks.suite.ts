import type { CoreHarness } from '../support/core-harness';
import { TOKENS, waitFor } from '../support/core-harness';
import { readSseEvents } from '../support/sse-reader';

export function tasksSuite(get: () => CoreHarness): void {
  const control = (id: string, op: string, token = TOKENS.alice) => get().api(token, 'POST', `/api/tasks/${id}/${op}`);

  it("hides alice's tasks and transfers from bob (404, never 403)", async () => {
    const h = get();
    const view = await h.createTransfer();
    for (const [method, path] of [
      ['GET', `/api/tasks/${view.id}`],
      ['GET', `/api/transfers/${view.id}`],
      ['POST', `/api/tasks/${view.id}/cancel`],
    ]) {
      const r = await h.api(TOKENS.bob, method, path);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    const t = await h.api(TOKENS.bob, 'POST', `/api/transfers/${view.id}/trigger`, h.triggersFor(view));
    expect(t.status).toBe(404);
    const list = (await h.api(TOKENS.bob, 'GET', '/api/tasks?limit=500')).body;
    expect(list.items.map((i: any) => i.id)).not.toContain(view.id);
    expect((await h.task(view.id)).state).toBe('AWAITING_TRIGGER'); // bob changed nothing
  });

  it('pages tasks newest first with a keyset cursor, without gaps or repeats', async () => {
    const h = get();
    // carol has her own tasks only from here on: a clean list to page through
    await h.sql(`INSERT INTO identity_mappings (user_id, provider_id, identity) SELECT id, 'provider-b', 'carol' FROM users WHERE name = 'carol' ON CONFLICT DO NOTHING`);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.createTransfer(TOKENS.carol)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/tasks?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await h.api(TOKENS.carol, 'GET', q)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t: any) => t.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const bad = await h.api(TOKENS.carol, 'GET', '/api/tasks?cursor=garbage');
    expect(bad.status).toBe(400);
    expect((await h.api(TOKENS.carol, 'GET', '/api/tasks?limit=501')).status).toBe(400);
  });

  it('filters by state (repeated or comma-separated) and kind', async () => {
    const h = get();
    const started = await h.startTransfer();
    const waiting = await h.createTransfer();
    const ids = async (q: string) => (await h.api(TOKENS.alice, 'GET', `/api/tasks?limit=500&${q}`)).body.items.map((t: any) => t.id);
    expect(await ids('state=STARTING')).toContain(started.id);
    expect(await ids('state=STARTING')).not.toContain(waiting.id);
    expect(await ids('state=STARTING,AWAITING_TRIGGER')).toEqual(expect.arrayContaining([started.id, waiting.id]));
    expect(await ids('state=STARTING&state=AWAITING_TRIGGER')).toEqual(expect.arrayContaining([started.id, waiting.id]));
    expect(await ids('kind=tunnel')).toEqual([]);
    expect((await h.api(TOKENS.alice, 'GET', '/api/tasks?state=BOGUS')).status).toBe(400);
  });

  it('pauses and resumes through the source gateway, only where the state allows', async () => {
    const h = get();
    const view = await h.startTransfer();
    await h.gwA.report(h.url, { transferId: view.id, role: 'source', seq: 1, phase: 'running', progress: { bytesDone: 1, bytesTotal: 10, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null } });
    const resumeNow = await control(view.id, 'resume');
    expect(resumeNow.status).toBe(409);
    expect(resumeNow.body.error.code).toBe('INVALID_STATE');
    const p = await control(view.id, 'pause');
    expect(p.status).toBe(200);
    expect(p.body.state).toBe('PAUSED');
    expect(p.body.operations).toEqual(['resume', 'cancel']);
    expect(h.gwA.callsTo('/control', view.id).map((c) => c.body)).toEqual([{ action: 'pause', role: 'source' }]);
    expect(h.gwB.callsTo('/control', view.id)).toEqual([]);
    const r = await control(view.id, 'resume');
    expect(r.body.state).toBe('RUNNING');
  });

  it('refuses pause before the trigger and operations the mechanism does not declare (409)', async () => {
    const h = get();
    const waiting = await h.createTransfer();
    expect((await control(waiting.id, 'pause')).status).toBe(409);
    h.gwA.prepare = { accept: true, operations: ['cancel'] };
    const view = await h.startTransfer();
    const r = await control(view.id, 'pause');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toContain('does not support pause');
    expect(h.gwA.callsTo('/control', view.id)).toEqual([]);
  });

  it('cancels: CANCELLED at once, both gateways told (cancel, then finalize cancelled); a second cancel is 409', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await control(view.id, 'cancel');
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('CANCELLED');
    expect(r.body.operations).toEqual([]);
    for (const gw of [h.gwA, h.gwB]) {
      const calls = h.calls.filter((c) => c.provider === gw.id && c.path.includes(view.id) && !c.path.endsWith('/trigger'));
      expect(calls.map((c) => [c.path.split('/').pop(), c.body.action ?? c.body.outcome])).toEqual([
        ['control', 'cancel'],
        ['finalize', 'cancelled'],
      ]);
    }
    expect((await control(view.id, 'cancel')).status).toBe(409);
  });

  it('cancel with a gateway down still cancels; the sweeper tells the gateway when it is back', async () => {
    const h = get();
    const view = await h.createTransfer();
    await h.gwA.stop();
    const r = await control(view.id, 'cancel');
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('CANCELLED');
    // the reachable gateway is told right after the state change (the answer does not wait for it)
    await waitFor('destination told', async () => (h.gwB.callsTo('/finalize', view.id).length ? true : undefined));
    expect(h.gwB.callsTo('/finalize', view.id).length).toBe(1);
    await h.gwA.start();
    await waitFor('source told after restart', async () => (h.gwA.callsTo('/finalize', view.id).length ? true : undefined));
    expect(h.gwA.callsTo('/finalize', view.id)[0].body.outcome).toBe('cancelled');
  });

  it('streams task updates as server-sent events', async () => {
    const h = get();
    const view = await h.startTransfer();
    const stream = await readSseEvents(`${h.url}/api/tasks/events?access_token=${TOKENS.alice}`);
    try {
      // snapshot of running tasks on connect includes this one
      await stream.until((e) => e.event === 'task' && JSON.parse(e.data).id === view.id);
      await h.gwA.report(h.url, { transferId: view.id, role: 'source', seq: 1, phase: 'running', progress: { bytesDone: 42, bytesTotal: 100, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: 'copying' } });
      const e = await stream.until((ev) => ev.event === 'task' && JSON.parse(ev.data).progress.bytesDone === 42);
      expect(JSON.parse(e.data)).toMatchObject({ id: view.id, state: 'RUNNING', progress: { message: 'copying' } });
      expect(e.id).toMatch(/^\d+$/);
    } finally {
      stream.close();
    }
    const unauth = await fetch(`${h.url}/api/tasks/events`);
    expect(unauth.status).toBe(401);
  });

  it('replays changes since Last-Event-ID on reconnect, ended tasks included', async () => {
    const h = get();
    const view = await h.createTransfer();
    const cancelled = (await control(view.id, 'cancel')).body;
    const since = Date.parse(cancelled.createdAt) - 1;
    const resumed = await readSseEvents(`${h.url}/api/tasks/events`, { authorization: `Bearer ${TOKENS.alice}`, 'last-event-id': String(since) });
    try {
      const e = await resumed.until((ev) => JSON.parse(ev.data).id === view.id);
      expect(JSON.parse(e.data).state).toBe('CANCELLED');
    } finally {
      resumed.close();
    }
    // a fresh connection's snapshot holds only tasks still going
    const fresh = await readSseEvents(`${h.url}/api/tasks/events`, { authorization: `Bearer ${TOKENS.alice}` });
    try {
      const other = await h.createTransfer();
      await fresh.until((ev) => JSON.parse(ev.data).id === other.id);
      expect(fresh.events.map((ev) => JSON.parse(ev.data).id)).not.toContain(view.id);
    } finally {
      fresh.close();
    }
  });
}
