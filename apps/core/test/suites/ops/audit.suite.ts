import type { CoreHarness } from '../../support/core-harness';
import { TOKENS } from '../../support/core-harness';
import { expectRefused } from '../../support/ops-helpers';

export function auditSuite(get: () => CoreHarness): void {
  const audit = async (q: string, token = TOKENS.carol) => get().api(token, 'GET', `/api/admin/audit${q}`);
  const withId = (id: string) => ({ 'x-request-id': id });

  it('records who initiated, triggered, paused, resumed and cancelled a transfer, with the request ids', async () => {
    const h = get();
    const created = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest(), withId('req-initiate-1'));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const steps: Array<[string, string, string]> = [
      ['POST', `/api/transfers/${id}/trigger`, 'req-trigger-1'],
      ['POST', `/api/tasks/${id}/pause`, 'req-pause-1'],
      ['POST', `/api/tasks/${id}/resume`, 'req-resume-1'],
      ['POST', `/api/tasks/${id}/cancel`, 'req-cancel-1'],
    ];
    for (const [method, path, rid] of steps) {
      const body = path.endsWith('/trigger') ? h.triggersFor(created.body) : undefined;
      const r = await h.api(TOKENS.alice, method, path, body, withId(rid));
      expect(r.status).toBe(200);
    }
    // a cancel that loses (already cancelled) changes nothing and writes nothing
    await expectRefused(h, () => h.api(TOKENS.alice, 'POST', `/api/tasks/${id}/cancel`), 409, 'INVALID_STATE');

    const page = await audit(`?task=${id}`);
    expect(page.status).toBe(200);
    expect(page.body.nextCursor).toBeNull();
    expect(page.body.items.map((e: any) => [e.action, e.actor, e.taskId, e.requestId])).toEqual([
      ['task.cancel', 'alice', id, 'req-cancel-1'],
      ['task.resume', 'alice', id, 'req-resume-1'],
      ['task.pause', 'alice', id, 'req-pause-1'],
      ['transfer.trigger', 'alice', id, 'req-trigger-1'],
      ['transfer.initiate', 'alice', id, 'req-initiate-1'],
    ]);
    const initiate = page.body.items[4];
    expect(initiate.target).toBe(`transfer:${id}`);
    expect(initiate.details).toEqual({ source: 'a-data:/results/run-1', destination: 'b-inbox:/incoming', options: { verify: 'size', label: 'test' } });
    expect(page.body.items[0].details).toEqual({ from: 'RUNNING' });
    // no secrets: the researcher's key, offers and trigger envelopes are not in the log
    const all = JSON.stringify(page.body);
    expect(all).not.toContain(h.researcher.publicKey);
    expect(all).not.toContain(created.body.offers[0].sealed.ct);
  });

  it('writes nothing for refused actions and is visible to admins only (403 FORBIDDEN)', async () => {
    const h = get();
    await expectRefused(h, () => h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'a-data', path: '../x' } })), 400, 'BAD_PATH');
    await expectRefused(h, () => h.api(TOKENS.bob, 'POST', '/api/transfers', h.transferRequest()), 403, 'FORBIDDEN');
    for (const token of [TOKENS.alice, TOKENS.bob]) {
      const r = await audit('', token);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect((await audit('', 'not-a-token-at-all')).status).toBe(401);
  });

  it('filters by user, action and since, and pages with a keyset cursor without gaps or repeats', async () => {
    const h = get();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.createTransfer()).id);
    const mine = await audit('?user=alice&action=transfer.initiate&limit=500');
    expect(mine.body.items.every((e: any) => e.actor === 'alice' && e.action === 'transfer.initiate')).toBe(true);
    expect(mine.body.items.slice(0, 3).map((e: any) => e.taskId)).toEqual([...ids].reverse());
    expect((await audit('?user=nobody-by-that-name')).body.items).toEqual([]);
    expect((await audit(`?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).body.items).toEqual([]);

    const everything = (await audit('?limit=500')).body.items.map((e: any) => e.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await audit(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.body.items.length).toBeLessThanOrEqual(3);
      paged.push(...r.body.items.map((e: any) => e.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everything);
    expect(everything.map(Number)).toEqual([...everything.map(Number)].sort((a, b) => b - a));
  });

  it('refuses bad filters with 400 VALIDATION_FAILED', async () => {
    for (const q of ['?task=not-a-uuid', '?action=task.explode', '?since=yesterday', '?limit=0', '?limit=501', '?cursor=garbage', '?colour=blue']) {
      const r = await audit(q);
      expect({ q, status: r.status, code: r.body.error?.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
    }
  });
}
