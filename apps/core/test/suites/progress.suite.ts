import { MAX_PROGRESS_BATCH, type ProgressReport } from '@ferry/contracts';
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

  it('applies a batch of reports for several transfers in one request, each as the single endpoint would', async () => {
    const h = get();
    const [a, b, c] = [await h.startTransfer(), await h.startTransfer(), await h.startTransfer()];
    const manifest = { verify: 'size' as const, files: [{ path: 'run-1/a.txt', size: 1000 }] };
    const r = await h.gwA.reportBatch(h.url, [
      report(a.id, 1, 'running'),
      report(b.id, 2, 'paused'),
      report(c.id, 3, 'completed', { manifest, progress: figures(1000, { filesDone: 2 }) }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      results: [
        { applied: true, state: 'RUNNING' },
        { applied: true, state: 'PAUSED' },
        { applied: true, state: 'FINALIZING' },
      ],
    });
    expect((await h.task(a.id)).progress).toEqual(figures(100));
    expect((await h.task(b.id)).progress).toEqual(figures(200));
    expect((await h.task(b.id)).state).toBe('PAUSED');
    // the completed one goes on to finalize like a single report's would (events per changed task)
    await untilState(c.id, 'SUCCEEDED');
    expect(h.gwB.callsTo('/finalize', c.id)[0].body.manifest).toEqual(manifest);
    const marked = (await h.sql(`SELECT triggered_at FROM transfers WHERE id = ANY($1::uuid[])`, [[a.id, b.id, c.id]])) as Array<{ triggered_at: unknown }>;
    expect(marked.map((x) => x.triggered_at !== null)).toEqual([true, true, true]);
  });

  it('refuses a forged or replayed batch as a whole (401), changing nothing', async () => {
    const h = get();
    const [a, b] = [await h.startTransfer(), await h.startTransfer()];
    const forged = await h.gwA.reportBatch(h.url, [report(a.id, 1, 'running'), report(b.id, 1, 'running')], { forge: true });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('BAD_SIGNATURE');
    expect((await h.task(a.id)).progress.bytesDone).toBe(0);
    expect((await h.task(b.id)).progress.bytesDone).toBe(0);
    const ok = await h.gwA.reportBatch(h.url, [report(a.id, 1, 'running')]);
    expect(ok.body.results).toEqual([{ applied: true, state: 'RUNNING' }]);
    // the same signature on another body is a forgery; on the same body, a replay
    const swapped = await h.gwA.reportBatch(h.url, [report(a.id, 9, 'paused'), report(b.id, 9, 'paused')], { headers: ok.headers });
    expect(swapped.status).toBe(401);
    expect(swapped.body.error.code).toBe('BAD_SIGNATURE');
    const replay = await h.gwA.reportBatch(h.url, [report(a.id, 1, 'running')], { headers: ok.headers });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REPLAYED_REQUEST');
    const [ta, tb] = [await h.task(a.id), await h.task(b.id)];
    expect([ta.state, ta.progress.bytesDone, tb.progress.bytesDone]).toEqual(['RUNNING', 100, 0]);
  });

  it('refuses, per report, one naming a transfer of another provider, an unknown one and a malformed one; the rest apply', async () => {
    const h = get();
    const [a, b] = [await h.startTransfer(), await h.startTransfer()];
    const r = await h.gwB.reportBatch(h.url, [
      { ...report(a.id, 1, 'running'), role: 'destination' }, // B is a's destination: fine
      report(b.id, 1, 'running'), // B is not b's source
      report('00000000-0000-4000-8000-000000000000', 1, 'running'),
      { ...report(b.id, 2, 'running'), seq: -1 },
      { ...report(a.id, 2, 'running'), role: 'destination', progress: figures(1e21) }, // beyond a bigint's exact range
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toEqual({ applied: true, state: expect.any(String) });
    expect(r.body.results[1].error.code).toBe('FORBIDDEN');
    expect(r.body.results[2].error.code).toBe('NOT_FOUND');
    expect(r.body.results[3].error.code).toBe('VALIDATION_FAILED');
    expect(r.body.results[3].error.message).toMatch(/reports\.3.*seq/);
    expect(r.body.results[4].error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/reports\.4: progress\.bytesDone/) });
    const tb = await h.task(b.id);
    expect([tb.state, tb.progress.bytesDone]).toEqual(['STARTING', 0]);
    // the destination's report counted: its seq 1 is taken now
    expect((await h.gwB.reportBatch(h.url, [{ ...report(a.id, 1, 'running'), role: 'destination' }])).body.results[0].applied).toBe(false);
  });

  it('refuses an empty, oversized or non-batch body as a whole (400 / 413), changing nothing', async () => {
    const h = get();
    const a = await h.startTransfer();
    // the count is checked before the reports (empty objects keep the body under the harness's 16 KiB limit)
    const tooMany = await h.gwA.reportBatch(h.url, [], { raw: JSON.stringify({ reports: Array.from({ length: MAX_PROGRESS_BATCH + 1 }, () => ({})) }) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('VALIDATION_FAILED');
    expect(tooMany.body.error.message).toContain(`1 to ${MAX_PROGRESS_BATCH}`);
    const empty = await h.gwA.reportBatch(h.url, []);
    expect([empty.status, empty.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const single = await h.gwA.reportBatch(h.url, [], { raw: JSON.stringify(report(a.id, 1, 'running')) });
    expect([single.status, single.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const huge = await h.gwA.reportBatch(h.url, [], { raw: JSON.stringify({ reports: [report(a.id, 1, 'running')], pad: 'x'.repeat(64 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const t = await h.task(a.id);
    expect([t.state, t.progress.bytesDone]).toEqual(['STARTING', 0]);
  });

  it('keeps seq order per transfer in and across batches: older reports drop, one batch applies a transfer\'s reports in seq order', async () => {
    const h = get();
    const [a, b] = [await h.startTransfer(), await h.startTransfer()];
    expect((await h.gwA.reportBatch(h.url, [report(a.id, 5, 'running')])).body.results).toEqual([{ applied: true, state: 'RUNNING' }]);
    const r = await h.gwA.reportBatch(h.url, [report(a.id, 4, 'paused'), report(b.id, 1, 'running')]);
    expect(r.body.results).toEqual([
      { applied: false, state: 'RUNNING' },
      { applied: true, state: 'RUNNING' },
    ]);
    expect((await h.task(a.id)).progress.bytesDone).toBe(500);
    // listed out of order: seq 7 (running) then 6 (paused) -> 6 applies first, then 7; a repeated 7 drops
    const both = await h.gwA.reportBatch(h.url, [report(a.id, 7, 'running'), report(a.id, 6, 'paused'), report(a.id, 7, 'paused')]);
    expect(both.body.results).toEqual([
      { applied: true, state: 'RUNNING' },
      { applied: true, state: 'PAUSED' },
      { applied: false, state: 'RUNNING' },
    ]);
    const t = await h.task(a.id);
    expect([t.state, t.progress.bytesDone]).toEqual(['RUNNING', 700]);
  });

  it('validates report bodies (400) after checking the signature', async () => {
    const h = get();
    const view = await h.startTransfer();
    const r = await h.gwA.report(h.url, { ...report(view.id, 1, 'running'), seq: -1 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
}
