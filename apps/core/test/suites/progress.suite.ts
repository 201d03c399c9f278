import type { ProgressReport } from '@ferry/contracts';
import type { CoreHarness } from '../support/core-harness';
import { waitFor } from '../support/core-harness';

const figures = (bytesDone: number, over: Partial<ProgressReport['progress']> = {}) => ({
  bytesDone,
  bytesTotal: 1000,
  filesDone: 1,
  filesTotal: 2,
  rate: 100,
  eta: 5,
  message: null,
  ...over,
});

export function progressSuite(get: () => CoreHarness): void {
  const report = (id: string, seq: number, phase: ProgressReport['phase'], extra: Partial<ProgressReport> = {}): ProgressReport => ({
    transferId: id,
    role: 'source',
    seq,
    phase,
    progress: figures(seq * 100),
    ...extra,
  });
  const untilState = (id: string, state: string) =>
    waitFor(`task ${id} ${state}`, async () => {
      const t = await get().task(id);
      return t.state === state ? t : undefined;
    });

  it('applies signed source reports as the task progress and state', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await h.gwA.report(h.url, report(view.id, 1, 'running'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ applied: true, state: 'RUNNING' });
    const t = await h.task(view.id);
    expect(t.state).toBe('RUNNING');
    expect(t.progress).toEqual(figures(100));
    expect(t.operations).toEqual(['pause', 'cancel']);
  });

  it('drops reports whose seq is not newer than the last one for that role', async () => {
    const h = get();
    const view = await h.startTransfer();
    expect((await h.gwA.report(h.url, report(view.id, 5, 'running'))).body.applied).toBe(true);
    const older = await h.gwA.report(h.url, report(view.id, 3, 'paused'));
    expect(older.status).toBe(200);
    expect(older.body.applied).toBe(false);
    const same = await h.gwA.report(h.url, report(view.id, 5, 'paused'));
    expect(same.body.applied).toBe(false);
    const t = await h.task(view.id);
    expect(t.state).toBe('RUNNING');
    expect(t.progress.bytesDone).toBe(500);
    // the destination's seq is its own: seq 1 from it still counts
    expect((await h.gwB.report(h.url, { ...report(view.id, 1, 'running'), role: 'destination' })).body.applied).toBe(true);
    expect((await h.task(view.id)).progress.bytesDone).toBe(500); // only the source's figures are the task's
  });

  it('refuses forged (401 BAD_SIGNATURE), replayed (401 REPLAYED_REQUEST) and stale (401 STALE_TIMESTAMP) reports', async () => {
    const h = get();
    const view = await h.startTransfer();
    const forged = await h.gwA.report(h.url, report(view.id, 1, 'running'), { forge: true });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('BAD_SIGNATURE');
    const unknown = await h.gwA.report(h.url, report(view.id, 1, 'running'), { keyId: 'provider-z' });
    expect(unknown.body.error.code).toBe('BAD_SIGNATURE');
    const ok = await h.gwA.report(h.url, report(view.id, 1, 'running'));
    expect(ok.status).toBe(200);
    const replay = await h.gwA.report(h.url, report(view.id, 1, 'running'), { headers: ok.headers });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REPLAYED_REQUEST');
    const stale = await h.gwA.report(h.url, report(view.id, 2, 'running'), { skewMs: -10 * 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('STALE_TIMESTAMP');
    expect(stale.body.error.message).toMatch(/600 s behind/);
    expect((await h.task(view.id)).progress.bytesDone).toBe(100);
  });

  it('refuses a report from a provider that is not that side of the transfer (403)', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await h.gwB.report(h.url, report(view.id, 1, 'running'));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it('completes: FINALIZING -> destination finalize with the manifest, then source -> SUCCEEDED', async () => {
    const h = get();
    const view = await h.startTransfer();
    const manifest = { verify: 'size' as const, files: [{ path: 'run-1/a.txt', size: 1000 }] };
    const r = await h.gwA.report(h.url, report(view.id, 2, 'completed', { manifest, progress: figures(1000, { filesDone: 2 }) }));
    expect(r.body).toEqual({ applied: true, state: 'FINALIZING' });
    const t = await untilState(view.id, 'SUCCEEDED');
    expect(t.progress.bytesDone).toBe(1000);
    expect(t.finishedAt).not.toBeNull();
    const finalizes = h.calls.filter((c) => c.path === `/ferry/v1/transfers/${view.id}/finalize`);
    expect(finalizes.map((c) => [c.provider, c.body.outcome])).toEqual([
      ['provider-b', 'succeeded'],
      ['provider-a', 'succeeded'],
    ]);
    expect(finalizes[0].body.manifest).toEqual(manifest);
    // late reports change nothing
    expect((await h.gwA.report(h.url, report(view.id, 9, 'failed'))).body.applied).toBe(false);
  });

  it('fails with the mismatches when the destination cannot verify', async () => {
    const h = get();
    h.gwB.finalizeAnswer = { ok: false, mismatches: [{ path: 'run-1/a.txt', expected: '1000', actual: '10' }] };
    const view = await h.startTransfer();
    await h.gwA.report(h.url, report(view.id, 1, 'completed', { manifest: { verify: 'size', files: [] } }));
    const t = await untilState(view.id, 'FAILED');
    expect(t.error.code).toBe('VERIFY_FAILED');
    expect(t.error.message).toContain('run-1/a.txt (expected 1000, found 10)');
    await waitFor('source told', async () => (h.gwA.callsTo('/finalize', view.id)[0] ? true : undefined));
    expect(h.gwA.callsTo('/finalize', view.id)[0].body.outcome).toBe('failed');
  });

  it('a failure reported by either side fails the task and finalizes both gateways as failed', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await h.gwB.report(h.url, { ...report(view.id, 1, 'failed'), role: 'destination', error: { code: 'DISK_FULL', message: 'no space left' } });
    expect(r.body).toEqual({ applied: true, state: 'FAILED' });
    const t = await h.task(view.id);
    expect(t.error).toEqual({ code: 'DISK_FULL', message: 'no space left' });
    await waitFor('both finalized', async () =>
      h.gwA.callsTo('/finalize', view.id).length && h.gwB.callsTo('/finalize', view.id).length ? true : undefined,
    );
    expect(h.gwA.callsTo('/finalize', view.id)[0].body).toMatchObject({ outcome: 'failed', reason: 'no space left' });
  });

  it('retries finalization when a gateway fails, until it succeeds', async () => {
    const h = get();
    h.gwB.failFinalize = 2;
    const view = await h.startTransfer();
    await h.gwA.report(h.url, report(view.id, 1, 'completed', { manifest: { verify: 'size', files: [] } }));
    await untilState(view.id, 'SUCCEEDED');
    expect(h.gwB.callsTo('/finalize', view.id).length).toBe(3);
  });

  it('finishes a FINALIZING task left behind by a crashed core (lease expired) from the sweeper', async () => {
    const h = get();
    const view = await h.startTransfer();
    // what a core that died mid-finalize leaves: FINALIZING, manifest stored, its lease run out
    await h.sql(
      `UPDATE tasks SET state = 'FINALIZING', manifest = '{"verify":"size","files":[]}', lease_owner = 'dead-core', lease_until = now() - interval '1 second' WHERE id = $1`,
      [view.id],
    );
    await untilState(view.id, 'SUCCEEDED');
    expect(h.gwB.callsTo('/finalize', view.id).length).toBeGreaterThanOrEqual(1);
  });

  it('validates report bodies (400) after checking the signature', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await h.gwA.report(h.url, { ...report(view.id, 1, 'running'), seq: -1 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
}
