import type { ProgressReport } from '@ferry/contracts';
import { SweeperService } from '../src/sweeper/sweeper.service';
import { CoreHarness, DbKind, waitFor } from './support/core-harness';

/**
 * The sweeper's stale-task check: a RUNNING/STARTING/PAUSED task whose source gateway stopped
 * reporting is asked about (GET /ferry/v1/transfers/{id}/status, signed) and failed when the gateway
 * lost it, says it failed, or stays unreachable; otherwise refreshed. Quiet periods are simulated by
 * moving the task's timestamps back with SQL (the defaults, 120 s and 900 s, stay in force), so no
 * test waits for a clock.
 */
const figures = (bytesDone: number): ProgressReport['progress'] => ({
  bytesDone,
  bytesTotal: 1000,
  filesDone: 0,
  filesTotal: 2,
  rate: 10,
  eta: 90,
  message: null,
});

describe.each<DbKind>(['pglite', 'postgres'])('stale tasks on %s', (db) => {
  const h = new CoreHarness(db);
  beforeAll(() => h.start());
  afterAll(() => h.close());
  beforeEach(async () => {
    for (const gw of [h.gwA, h.gwB]) {
      gw.statusAnswers.clear();
      await gw.start(); // a test may have left it down
    }
  });

  const statusCalls = (id: string) => h.calls.filter((c) => c.provider === 'provider-a' && c.method === 'GET' && c.path.startsWith(`/ferry/v1/transfers/${id}/status`));
  const finalizes = (provider: string, id: string) => h.calls.filter((c) => c.provider === provider && c.path === `/ferry/v1/transfers/${id}/finalize`);
  const sweeps = async (n: number) => {
    const s = h.app.get(SweeperService);
    for (let i = 0; i < n; i++) await s.tick();
  };

  /** A triggered transfer whose source reported once (seq 1): RUNNING. */
  async function running(): Promise<string> {
    const view = await h.startTransfer();
    const r = await h.gwA.report(h.url, { transferId: view.id, role: 'source', seq: 1, phase: 'running', progress: figures(100) });
    expect(r.body).toEqual({ applied: true, state: 'RUNNING' });
    return view.id;
  }
  /** As if nothing had been heard of the task for an hour. */
  const quietForAnHour = (id: string) =>
    h.sql(`UPDATE tasks SET updated_at = now() - interval '1 hour', source_checked_at = source_checked_at - interval '1 hour' WHERE id = $1`, [id]);
  const untilState = (id: string, state: string) =>
    waitFor(`task ${id} ${state}`, async () => {
      const t = await h.task(id);
      return t.state === state ? t : undefined;
    });

  it('a task that reports is never asked about', async () => {
    const id = await running();
    await sweeps(3);
    expect(statusCalls(id)).toHaveLength(0);
    expect((await h.task(id)).state).toBe('RUNNING');
  });

  it('the source gateway no longer knows the transfer (404): FAILED, SOURCE_LOST, both gateways told', async () => {
    const id = await running();
    h.gwA.statusAnswers.set(id, { status: 404, body: { error: { code: 'NOT_FOUND', message: `no transfer ${id}` } } });
    await quietForAnHour(id);
    const t = await untilState(id, 'FAILED');
    expect(t.error.code).toBe('SOURCE_LOST');
    expect(t.error.message).toMatch(/source gateway provider-a no longer knows this transfer/);
    expect(statusCalls(id)).toHaveLength(1);
    expect(statusCalls(id)[0].path).toBe(`/ferry/v1/transfers/${id}/status?role=source`);
    // both gateways finalize 'failed': the destination revokes its grant
    await waitFor('both finalized', async () => (finalizes('provider-a', id).length && finalizes('provider-b', id).length ? true : undefined));
    expect(finalizes('provider-b', id).map((c) => c.body.outcome)).toEqual(['failed']);
    expect(finalizes('provider-a', id).map((c) => c.body.outcome)).toEqual(['failed']);
  });

  it('the source gateway says it failed (its report was lost): FAILED with its error', async () => {
    const id = await running();
    h.gwA.statusAnswers.set(id, {
      status: 200,
      body: { transferId: id, role: 'source', phase: 'failed', seq: 7, progress: figures(400), error: { code: 'DISK_FULL', message: 'the destination disk is full' } },
    });
    await quietForAnHour(id);
    const t = await untilState(id, 'FAILED');
    expect(t.error.code).toBe('DISK_FULL');
    expect(t.error.message).toMatch(/^the destination disk is full \(reported by the source gateway provider-a/);
  });

  it('a source that has it cancelled or finalized although the core never ended it: FAILED, SOURCE_LOST', async () => {
    const id = await running();
    h.gwA.statusAnswers.set(id, { status: 200, body: { transferId: id, role: 'source', phase: 'finalized', seq: 2, progress: figures(100) } });
    await quietForAnHour(id);
    const t = await untilState(id, 'FAILED');
    expect(t.error).toEqual({ code: 'SOURCE_LOST', message: expect.stringContaining("has this transfer as 'finalized'") });
  });

  it('still running at the source: refreshed from its answer, then left alone for another period', async () => {
    const id = await running();
    h.gwA.statusAnswers.set(id, { status: 200, body: { transferId: id, role: 'source', phase: 'paused', seq: 5, progress: figures(600) } });
    await quietForAnHour(id);
    const t = await untilState(id, 'PAUSED');
    expect(t.progress.bytesDone).toBe(600);
    expect(t.error).toBeNull();
    await sweeps(3);
    expect(statusCalls(id)).toHaveLength(1);
    // the answer counts as a report: an older report (seq 4) is dropped, a newer one applies
    expect((await h.gwA.report(h.url, { transferId: id, role: 'source', seq: 4, phase: 'running', progress: figures(500) })).body.applied).toBe(false);
    expect((await h.gwA.report(h.url, { transferId: id, role: 'source', seq: 6, phase: 'running', progress: figures(700) })).body).toEqual({ applied: true, state: 'RUNNING' });
    // a quiet task whose source answers with nothing newer keeps its figures
    h.gwA.statusAnswers.set(id, { status: 200, body: { transferId: id, role: 'source', phase: 'running', seq: 6, progress: figures(0) } });
    await quietForAnHour(id);
    await waitFor('a second status call', async () => (statusCalls(id).length === 2 ? true : undefined));
    await sweeps(1);
    const after = await h.task(id);
    expect(after.state).toBe('RUNNING');
    expect(after.progress.bytesDone).toBe(700);
  });

  it('STARTING with no report at all: asked too (a transfer prepared at the source runs)', async () => {
    const view = await h.startTransfer();
    expect((await h.task(view.id)).state).toBe('STARTING');
    await quietForAnHour(view.id);
    await waitFor('a status call', async () => (statusCalls(view.id).length === 1 ? true : undefined));
    await sweeps(2);
    expect((await h.task(view.id)).state).toBe('STARTING');
  });

  it('an unreachable source: noted, retried each period, FAILED "source gateway unreachable" once it has been long enough', async () => {
    const id = await running();
    await h.gwA.stop();
    await quietForAnHour(id);
    const rows = await waitFor('unreachable noted', async () => {
      const r = (await h.sql(`SELECT source_unreachable_since, lease_owner FROM tasks WHERE id = $1`, [id])) as Array<{ source_unreachable_since: unknown; lease_owner: unknown }>;
      return r[0]?.source_unreachable_since ? r : undefined;
    });
    expect(rows[0].lease_owner).toBeNull(); // given back: the next check is a period later
    expect((await h.task(id)).state).toBe('RUNNING');
    const first = String(rows[0].source_unreachable_since);

    // a second miss keeps the first time
    await quietForAnHour(id);
    await waitFor('second miss', async () => {
      const r = (await h.sql(`SELECT source_checked_at > now() - interval '1 minute' AS fresh, source_unreachable_since FROM tasks WHERE id = $1`, [id])) as Array<{ fresh: boolean; source_unreachable_since: unknown }>;
      return r[0].fresh ? r : undefined;
    }).then((r) => expect(String(r[0].source_unreachable_since)).toBe(first));

    // unreachable for longer than FERRY_SOURCE_UNREACHABLE_SECONDS (900)
    await h.sql(`UPDATE tasks SET source_unreachable_since = now() - interval '16 minutes' WHERE id = $1`, [id]);
    await quietForAnHour(id);
    const t = await untilState(id, 'FAILED');
    expect(t.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(t.error.message).toMatch(/^source gateway unreachable: provider-a has not answered for 9\d\d s \(FERRY_SOURCE_UNREACHABLE_SECONDS=900\)/);
    // the destination is told at once (the source when it is back)
    await waitFor('destination finalized', async () => (finalizes('provider-b', id).length ? true : undefined));
    expect(finalizes('provider-b', id)[0].body.outcome).toBe('failed');
  });

  it('a source that answers again clears the unreachable mark', async () => {
    const id = await running();
    await h.sql(`UPDATE tasks SET source_unreachable_since = now() - interval '5 minutes' WHERE id = $1`, [id]);
    await quietForAnHour(id);
    await waitFor('a status call', async () => (statusCalls(id).length === 1 ? true : undefined));
    await waitFor('mark cleared', async () => {
      const r = (await h.sql(`SELECT source_unreachable_since FROM tasks WHERE id = $1`, [id])) as Array<{ source_unreachable_since: unknown }>;
      return r[0].source_unreachable_since === null ? true : undefined;
    });
    expect((await h.task(id)).state).toBe('RUNNING');
  });

  it('is counted in /metrics by result', async () => {
    const res = await fetch(`${h.url}/metrics`);
    const text = await res.text();
    for (const result of ['failed', 'refreshed', 'unreachable']) {
      expect(text).toMatch(new RegExp(`^ferry_stale_task_checks_total\\{result="${result}"\\} [1-9]`, 'm'));
    }
    expect(text).toMatch(/^ferry_provider_call_duration_seconds_count\{provider="provider-a",call="status"\} [1-9]/m);
  });
});

describe('stale tasks with two core replicas on one PostgreSQL', () => {
  const h = new CoreHarness('postgres');
  beforeAll(() => h.start());
  afterAll(() => h.close());

  it('each stale task is asked about and failed exactly once, and each gateway told once', async () => {
    await h.startReplica();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const view = await h.startTransfer();
      h.gwA.statusAnswers.set(view.id, { status: 404, body: { error: { code: 'NOT_FOUND', message: 'lost' } } });
      ids.push(view.id);
    }
    await h.sql(`UPDATE tasks SET updated_at = now() - interval '1 hour' WHERE id = ANY($1)`, [ids]);
    for (const id of ids) {
      await waitFor(`task ${id} failed and cleaned up`, async () => {
        const rows = (await h.sql(`SELECT state, cleanup_outcome FROM tasks WHERE id = $1`, [id])) as Array<{ state: string; cleanup_outcome: string | null }>;
        return rows[0].state === 'FAILED' && rows[0].cleanup_outcome === null ? true : undefined;
      });
    }
    for (const id of ids) {
      const calls = (provider: string, what: string) => h.calls.filter((c) => c.provider === provider && c.path.startsWith(`/ferry/v1/transfers/${id}/${what}`));
      expect(calls('provider-a', 'status')).toHaveLength(1);
      expect(calls('provider-a', 'finalize')).toHaveLength(1);
      expect(calls('provider-b', 'finalize')).toHaveLength(1);
      expect((await h.task(id)).error.code).toBe('SOURCE_LOST');
    }
  });
});
