import { CoreHarness, TOKENS, waitFor } from './support/core-harness';

/**
 * Two core replicas on one PostgreSQL database, both sweeping: the conditional transitions and
 * leases must make every gateway side effect happen once, whichever replica does it.
 */
describe('two core replicas on one PostgreSQL database', () => {
  const h = new CoreHarness('postgres');
  let replica = '';
  beforeAll(async () => {
    await h.start();
    replica = await h.startReplica();
  });
  afterAll(() => h.close());

  it('expires transfers created on either replica exactly once (one finalize per gateway)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push((await h.createTransfer()).id);
      const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest(), {}, replica);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await h.sql(`UPDATE transfers SET trigger_deadline = now() - interval '1 second' WHERE id = ANY($1)`, [ids]);
    await waitFor('all expired and gateways told', async () => {
      const rows = (await h.sql(
        `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND state = 'EXPIRED' AND cleanup_outcome IS NULL`,
        [ids],
      )) as Array<{ n: number }>;
      return rows[0].n === ids.length ? true : undefined;
    });
    for (const id of ids) {
      expect(h.gwA.callsTo('/finalize', id).length).toBe(1);
      expect(h.gwB.callsTo('/finalize', id).length).toBe(1);
    }
  });

  it('shares the nonce store: a report replayed to the other replica is refused', async () => {
    const view = await h.startTransfer();
    const report = {
      transferId: view.id,
      role: 'source' as const,
      seq: 1,
      phase: 'running' as const,
      progress: { bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null },
    };
    const first = await h.gwA.report(h.url, report);
    expect(first.status).toBe(200);
    const replayed = await h.gwA.report(replica, report, { headers: first.headers });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('REPLAYED_REQUEST');
  });

  it('a transfer negotiated on one replica is triggered and finished through the other', async () => {
    const view = await h.createTransfer();
    const t = await h.api(TOKENS.alice, 'POST', `/api/transfers/${view.id}/trigger`, h.triggersFor(view), {}, replica);
    expect(t.status).toBe(200);
    await h.gwA.report(replica, {
      transferId: view.id,
      role: 'source',
      seq: 1,
      phase: 'completed',
      progress: { bytesDone: 2, bytesTotal: 2, filesDone: 1, filesTotal: 1, rate: null, eta: null, message: null },
      manifest: { verify: 'size', files: [] },
    });
    await waitFor('succeeded', async () => ((await h.task(view.id)).state === 'SUCCEEDED' ? true : undefined));
    expect(h.gwB.callsTo('/finalize', view.id).length).toBe(1);
  });
});
