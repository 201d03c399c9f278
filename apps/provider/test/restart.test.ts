import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayWorld, LOCALCOPY, writeTree, type DbKind } from './support/gateway-world';
import { fixtureLog } from './fixtures/local-copy/fixture-log';

describe.each<DbKind>(['pglite', 'postgres'])('gateway restart (%s)', (db) => {
  let w: GatewayWorld;
  const slow = { chunkSize: 16_384, chunkDelayMs: 20 };

  beforeAll(async () => {
    w = await GatewayWorld.create({
      name: `restart-${db}`,
      db,
      pluginsA: [{ package: LOCALCOPY, options: slow }],
      pluginsB: [{ package: LOCALCOPY, options: slow }],
    });
  });
  afterAll(async () => {
    await w?.stop();
  });

  const setOption = (site: typeof w.a, options: Record<string, unknown>) => {
    site.config.plugins = [{ package: LOCALCOPY, options: { ...slow, ...options } }];
  };

  it('resumes a running transfer through plugin.recover, with seq continuing', async () => {
    const id = `t-restart-1-${db}`;
    writeTree(path.join(w.a.driveDir, 'r1'), { 'big.bin': 1_500_000, 'small.txt': 'small' });
    await w.startTransfer(id, { path: 'r1' });
    const before = await w.core.waitFor('some progress', () =>
      w.core.reportsFor(id, 'source').find((r) => r.phase === 'running' && r.progress.bytesDone > 100_000),
    );
    await w.stopSite(w.a);
    const lastSeqBefore = Math.max(...w.core.reportsFor(id, 'source').map((r) => r.seq));
    // stopping is not failing: the plugin saw its signal abort, and nothing reported a failure
    expect(w.core.reportsFor(id, 'source').some((r) => r.phase === 'failed')).toBe(false);

    await w.start(w.a);
    expect(fixtureLog.calls.filter((c) => c.transferId === id && c.method === 'recover')).toEqual([
      { mechanism: 'localcopy', method: 'recover', transferId: id, role: 'source' },
    ]);
    const done = await w.completed(id);
    expect(done.phase).toBe('completed');
    expect(done.seq).toBeGreaterThan(lastSeqBefore);
    expect(before.seq).toBeLessThanOrEqual(lastSeqBefore);
    const after = w.core.reportsFor(id, 'source').filter((r) => r.seq > lastSeqBefore);
    // it resumed from the partial file rather than starting over
    expect(after[0].progress.bytesDone).toBeGreaterThan(0);
    expect(fs.statSync(path.join(w.b.driveDir, 'r1', 'big.bin')).size).toBe(1_500_000);
    expect((await w.finalize(w.b, id, { outcome: 'succeeded', manifest: done.manifest })).body).toEqual({ ok: true });
  });

  it('sends a completion the core missed after a restart, with its manifest', async () => {
    const id = `t-restart-pending-${db}`;
    writeTree(path.join(w.a.driveDir, 'pending'), { 'one.txt': 'one', 'sub/two.bin': 5_000 });
    w.core.down = true;
    try {
      await w.startTransfer(id, { path: 'pending' });
      // the plugin finished while the core answered 503: the completion waits in A's database
      await w.core.waitFor('a completion sent while the core is down', () =>
        w.core.bodiesWhileDown.some((b) => b.includes(id) && b.includes('"completed"')),
      );
      await w.stopSite(w.a);
    } finally {
      w.core.down = false;
    }
    expect(w.core.reportsFor(id, 'source').some((r) => r.phase === 'completed')).toBe(false);
    await w.start(w.a);
    const done = await w.completed(id);
    expect(done.manifest?.files.map((f) => f.path).sort()).toEqual(['pending/one.txt', 'pending/sub/two.bin']);
    expect((await w.finalize(w.b, id, { outcome: 'succeeded', manifest: done.manifest })).body).toEqual({ ok: true });
  });

  it('brings a paused transfer back paused, and it can be resumed', async () => {
    const id = `t-restart-5-${db}`;
    writeTree(path.join(w.a.driveDir, 'r5'), { 'big.bin': 1_000_000 });
    await w.startTransfer(id, { path: 'r5' });
    await w.core.waitFor('some progress', () => w.core.reportsFor(id, 'source').find((r) => r.progress.bytesDone > 0));
    expect((await w.control(w.a, id, 'pause')).body.phase).toBe('paused');
    await w.stopSite(w.a);
    await w.start(w.a);
    expect(fixtureLog.calls.filter((c) => c.transferId === id).map((c) => c.method).slice(-2)).toEqual(['recover', 'pause']);
    expect((await w.status(w.a, id)).body.phase).toBe('paused');
    expect((await w.control(w.a, id, 'resume')).body.phase).toBe('running');
    expect((await w.completed(id)).phase).toBe('completed');
  });

  it('re-installs the destination grant after the destination restarts', async () => {
    const id = `t-restart-2-${db}`;
    writeTree(path.join(w.a.driveDir, 'r2'), { 'data.bin': 300_000 });
    const n = await w.negotiate(id, { path: 'r2' });
    expect((await w.trigger(w.b, id, 'destination', n.envelopes.destination)).status).toBe(200);
    const grant = path.join(w.b.config.stateDir, 'plugins', 'localcopy', 'grants', id);
    await w.stopSite(w.b);
    fs.rmSync(grant); // as if the grant had lived in memory only
    await w.start(w.b);
    expect(fixtureLog.count('recover', id)).toBe(1);
    expect(fs.existsSync(grant)).toBe(true);
    expect((await w.trigger(w.a, id, 'source', n.envelopes.source)).status).toBe(200);
    expect((await w.completed(id)).phase).toBe('completed');
  });

  it('fails a transfer whose recover fails, and tells the core why', async () => {
    const id = `t-restart-3-${db}`;
    writeTree(path.join(w.a.driveDir, 'r3'), { 'big.bin': 1_500_000 });
    await w.startTransfer(id, { path: 'r3' });
    await w.core.waitFor('some progress', () => w.core.reportsFor(id, 'source').find((r) => r.progress.bytesDone > 0));
    await w.stopSite(w.a);
    setOption(w.a, { failRecover: true });
    try {
      await w.start(w.a);
      const failed = await w.completed(id);
      expect(failed).toMatchObject({
        phase: 'failed',
        error: { code: 'RECOVERY_FAILED', message: 'could not resume after a gateway restart: cannot reach the destination any more' },
      });
      expect((await w.status(w.a, id)).body).toMatchObject({ phase: 'failed', error: { code: 'RECOVERY_FAILED' } });
    } finally {
      await w.stopSite(w.a);
      setOption(w.a, {});
      await w.start(w.a);
    }
  });

  it('expires at start-up what was prepared but not triggered before the deadline', async () => {
    const id = `t-restart-4-${db}`;
    writeTree(path.join(w.a.driveDir, 'r4'), { 'x.txt': 'x' });
    // no periodic sweep on this run of A, so only the start-up sweep can expire it
    await w.stopSite(w.a);
    w.a.config.sweepIntervalMs = 3_600_000;
    await w.start(w.a);
    const past = new Date(Date.now() - 1000).toISOString();
    // only A's deadline is past: B keeps its periodic sweep, which could otherwise expire B's
    // record while B is still preparing it (a race this test is not about)
    await w.negotiate(id, { path: 'r4', triggerDeadline: past });
    expect((await w.status(w.a, id)).body.phase).toBe('prepared');
    await w.stopSite(w.a);
    w.a.config.sweepIntervalMs = 200;
    await w.start(w.a);
    expect((await w.status(w.a, id)).body.phase).toBe('finalized');
    expect(fixtureLog.calls.filter((c) => c.transferId === id && c.role === 'source').map((c) => c.method)).toEqual(['prepareSource', 'cancel', 'finalize']);
  });
});
