import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayWorld, LOCALCOPY, LOCALCOPY_LITE, writeTree } from './support/gateway-world';
import { fixtureLog } from './fixtures/local-copy/fixture-log';

describe('control and progress', () => {
  let w: GatewayWorld;

  beforeAll(async () => {
    // small chunks with a pause between them: transfers run long enough to be paused or cancelled
    const plugins = [
      { package: LOCALCOPY, options: { chunkSize: 8192, chunkDelayMs: 5 } },
      { package: LOCALCOPY_LITE, options: { chunkSize: 8192, chunkDelayMs: 5 } },
    ];
    w = await GatewayWorld.create({ name: 'control', pluginsA: plugins, pluginsB: plugins });
  });

  /** A fresh source folder per test: the copier skips files the destination already has. */
  const fresh = (name: string) => {
    writeTree(path.join(w.a.driveDir, name), { 'one.bin': 400_000, 'two.bin': 200_000 });
    return name;
  };
  afterAll(async () => {
    await w?.stop();
  });

  const running = (id: string) =>
    w.core.waitFor(`${id} running with bytes`, () => w.core.reportsFor(id, 'source').find((r) => r.phase === 'running' && r.progress.bytesDone > 0));

  it('refuses pause on a mechanism without that ability, without calling the plugin', async () => {
    const id = 't-ctl-1';
    await w.startTransfer(id, { path: fresh('set1'), options: { mechanism: 'localcopy-lite' } });
    const res = await w.control(w.a, id, 'pause');
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'INVALID_STATE', message: "mechanism 'localcopy-lite' cannot pause a transfer" });
    expect(fixtureLog.count('pause', id)).toBe(0);
    await w.completed(id);
    expect((await w.control(w.a, id, 'resume')).status).toBe(409);
  });

  it('pauses and resumes a running transfer', async () => {
    const id = 't-ctl-2';
    await w.startTransfer(id, { path: fresh('set2') });
    await running(id);
    expect((await w.control(w.a, id, 'pause')).body).toMatchObject({ phase: 'paused' });
    expect((await w.control(w.a, id, 'pause')).body).toMatchObject({ phase: 'paused' }); // again: no-op
    expect(fixtureLog.count('pause', id)).toBe(1);
    await w.core.waitFor('paused report', () => w.core.reportsFor(id, 'source').some((r) => r.phase === 'paused'));
    expect((await w.control(w.a, id, 'resume')).body).toMatchObject({ phase: 'running' });
    const done = await w.completed(id);
    expect(done.phase).toBe('completed');
    const phases = w.core.reportsFor(id, 'source').map((r) => r.phase);
    expect(phases.indexOf('paused')).toBeLessThan(phases.lastIndexOf('running'));
    expect(phases[phases.length - 1]).toBe('completed');
    // after completion, pausing is a state error
    expect((await w.control(w.a, id, 'pause')).body.error.code).toBe('INVALID_STATE');
  });

  it('cancels both sides: the copy stops and the grant is revoked', async () => {
    const id = 't-ctl-3';
    await w.startTransfer(id, { path: fresh('set3') });
    await running(id);
    expect((await w.control(w.a, id, 'cancel')).body).toMatchObject({ phase: 'cancelled' });
    expect((await w.control(w.b, id, 'cancel')).body).toMatchObject({ phase: 'cancelled' });
    expect((await w.control(w.a, id, 'cancel')).body).toMatchObject({ phase: 'cancelled' }); // idempotent
    await w.core.waitFor('cancelled report', () => w.core.reportsFor(id, 'source').some((r) => r.phase === 'cancelled'));
    const grant = path.join(w.b.config.stateDir, 'plugins', 'localcopy', 'grants', id);
    expect(fs.existsSync(grant)).toBe(false);
    expect(w.core.reportsFor(id, 'source').some((r) => r.phase === 'completed')).toBe(false);
    const fin = await w.finalize(w.a, id, { outcome: 'cancelled' });
    expect(fin.body).toEqual({ ok: true });
  });

  it('signs every report, with a strictly increasing seq, fewer reports than plugin updates, the final one last', async () => {
    const id = 't-prog-1';
    const started = Date.now();
    await w.startTransfer(id, { path: fresh('set4') });
    const done = await w.completed(id);
    const elapsed = Date.now() - started;
    const reports = w.core.reportsFor(id, 'source');
    expect(w.core.refused).toEqual([]);
    expect(w.core.reports.filter((r) => r.report.transferId === id).every((r) => r.keyId === 'provider-a')).toBe(true);
    const seqs = reports.map((r) => r.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    // 600 kB in 8 kB chunks is 75+ plugin reports; the gateway coalesces them
    const pluginReports = fixtureLog.reports.get(id)!;
    expect(pluginReports).toBeGreaterThanOrEqual(75);
    // The throttle's promise is "at most one report per interval (100 ms in this world), plus phase
    // changes": a bound derived from the measured duration, so a loaded machine cannot break it.
    const phaseChanges = new Set(reports.map((r) => r.phase)).size;
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + phaseChanges + 1);
    expect(reports.length).toBeLessThan(pluginReports);
    expect(reports[reports.length - 1]).toBe(done);
    expect(done).toMatchObject({
      phase: 'completed',
      progress: { bytesDone: 600_000, bytesTotal: 600_000, filesDone: 2, filesTotal: 2, eta: 0 },
      manifest: { verify: 'size', files: [{ path: 'set4/one.bin', size: 400_000 }, { path: 'set4/two.bin', size: 200_000 }] },
    });
    // the gateway computes the rate (the plugin never reports one)
    expect(reports.some((r) => typeof r.progress.rate === 'number' && r.progress.rate > 0)).toBe(true);
    // the destination's grant side does not report figures of its own
    expect(w.core.reportsFor(id, 'destination')).toEqual([]);
  });

  it('keeps the latest state while the core is down and delivers it when it is back', async () => {
    const id = 't-prog-2';
    w.core.down = true;
    try {
      await w.startTransfer(id, { path: fresh('set5') });
      await w.core.until('source completed locally', async () => (await w.status(w.a, id)).body.phase === 'completed');
      expect(w.core.reportsFor(id)).toEqual([]);
    } finally {
      w.core.down = false;
    }
    const done = await w.completed(id);
    expect(done.manifest?.files).toHaveLength(2);
    // latest state wins: nothing older arrives after the completion
    const reports = w.core.reportsFor(id, 'source');
    expect(reports.filter((r) => r.phase === 'completed')).toHaveLength(1);
    expect(reports[reports.length - 1].phase).toBe('completed');
    const status = await w.status(w.a, id);
    expect(status.body.seq).toBeGreaterThanOrEqual(done.seq);
  });
});
