import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMechanismError } from '@ferry/plugin-sdk';
import { diffTrees, readTree, writeRandomFile, writeTree, type TestTransfer } from '@ferry/plugin-sdk/testing';
import { startPair, type Pair } from './grant-fixture.util';
import { StallProxy } from './stall-proxy.util';

/**
 * Pause (and cancel) at every phase of a run: while the source is listed, while TCP and the SSH
 * handshake are under way, right after the login, while part files are being opened, mid-write,
 * between files; and while the destination is silent. Each must settle (a hang fails the test at
 * its generous timeout; nothing here measures time), and resume must end in the right bytes.
 * Every transfer goes through a StallProxy so the test can see the connection open.
 */
const KiB = 1024;
const MiB = 1024 * KiB;
const LONG = 120_000;
const ROUNDS = 3;

const tree = (name: string) => `tree-${name}`;

async function writeSource(root: string, name: string, bigBytes: number): Promise<void> {
  const base = path.join(root, tree(name));
  await writeRandomFile(path.join(base, 'big-1.bin'), bigBytes);
  await writeRandomFile(path.join(base, 'big-2.bin'), Math.floor(bigBytes / 2) + 123);
  const small: Record<string, string> = {};
  for (let i = 0; i < 12; i++) small[`s${String(i).padStart(2, '0')}.txt`] = `small ${i}\n`.repeat(i * 50 + 1);
  await writeTree(base, { 'empty.txt': '', nested: { ...small, deeper: { 'empty-folder': {} } } });
}

/** polls a condition that no report announces (files at the destination, its log) */
async function until(what: string, cond: () => boolean | Promise<boolean>, t: TestTransfer): Promise<void> {
  const deadline = Date.now() + LONG;
  while (!(await cond())) {
    if (t.source.record.ended) return; // it finished before that moment: pause then finds nothing to stop
    if (Date.now() > deadline) throw new Error(`never reached: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function hasPartFile(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir, { recursive: true })).some((n) => String(n).endsWith('.ferry-part'));
  } catch {
    return false;
  }
}

interface Run {
  t: TestTransfer;
  proxy: StallProxy;
}

async function startThroughProxy(pair: Pair, name: string, beforeTrigger?: (proxy: StallProxy) => void): Promise<Run> {
  const t = await pair.transfer({ sourcePath: tree(name), options: { verify: 'checksum' } });
  await t.prepare();
  await t.triggerDestination();
  const forPeer = t.destinationPrep!.forPeer;
  const proxy = new StallProxy({ host: forPeer.host as string, port: forPeer.port as number });
  await proxy.start();
  beforeTrigger?.(proxy);
  await t.triggerSource({ ...forPeer, port: proxy.port });
  return { t, proxy };
}

/** pause; a run that completed meanwhile is the one allowed refusal */
async function pauseOrCompleted(t: TestTransfer): Promise<'paused' | 'completed'> {
  try {
    await t.pause();
    if (t.source.state.phase === 'paused') return 'paused';
  } catch (e) {
    if (!isMechanismError(e) || e.code !== 'INVALID_STATE') throw e;
  }
  await t.waitForEnd(LONG);
  expect(t.source.record.completions).toHaveLength(1);
  return 'completed';
}

async function expectDelivered(pair: Pair, run: Run, name: string): Promise<void> {
  const { t } = run;
  expect(t.source.record.failures).toEqual([]);
  expect(t.source.record.violations).toEqual([]);
  const expected = await readTree(path.join(pair.source.driveRoot, tree(name)));
  const got = await readTree(path.join(t.destination.localPath, tree(name)));
  expect(diffTrees(expected, got)).toEqual([]);
  expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
}

describe('sftp pause and cancel in every phase', () => {
  let pair: Pair;
  const proxies: StallProxy[] = [];

  beforeAll(async () => {
    // few requests in flight and small chunks: each phase lasts long enough to be hit
    pair = await startPair({ parallelFiles: 2, requestsInFlight: 4, chunkSize: 64 * KiB });
    await writeSource(pair.source.driveRoot, 'main', 4 * MiB);
  }, LONG);
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    await pair?.stop();
  });

  /**
   * When to act: `arm` (before the trigger, for what the proxy announces: it could pass unseen
   * otherwise) or `reached` (after the trigger).
   */
  interface Moment {
    name: string;
    arm?: (proxy: StallProxy) => Promise<void>;
    reached?: (run: Run) => Promise<void>;
  }
  const reports = (t: TestTransfer) => t.source.record.reports;
  const moments: Moment[] = [
    { name: 'right after the trigger (listing the source)' },
    { name: 'when the TCP connection opens (SSH handshake)', arm: (proxy) => proxy.nextConnection() },
    {
      name: 'at the first report (totals known, connecting)',
      reached: ({ t }) => t.source.record.waitFor(() => reports(t).length > 0, 'a first report', LONG),
    },
    {
      name: 'once the destination accepted the login (opening the SFTP session, creating folders)',
      reached: ({ t }) =>
        until(
          'login',
          () => pair.destination.parts.logger.entries.some((e) => e.message === 'source connected' && e.fields?.transferId === t.id),
          t,
        ),
    },
    {
      name: 'when the first part file appears (opening files)',
      reached: ({ t }) => until('a part file', () => hasPartFile(t.destination.localPath), t),
    },
    {
      name: 'after the first acknowledged bytes (mid-write)',
      reached: ({ t }) => t.source.record.waitFor(() => t.source.record.ended || reports(t).some((r) => r.bytesDone > 0), 'bytes', LONG),
    },
    {
      name: 'after the first whole file (renaming, next files)',
      reached: ({ t }) => t.source.record.waitFor(() => t.source.record.ended || reports(t).some((r) => r.filesDone > 0), 'a file', LONG),
    },
  ];

  async function startAt(m: Moment): Promise<Run> {
    let armed: Promise<void> | undefined;
    const run = await startThroughProxy(pair, 'main', (proxy) => {
      armed = m.arm?.(proxy);
    });
    proxies.push(run.proxy);
    await armed;
    await m.reached?.(run);
    return run;
  }

  for (const m of moments) {
    it(`pause ${m.name} settles, and resume delivers every byte (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const run = await startAt(m);
        if ((await pauseOrCompleted(run.t)) === 'paused') {
          expect(run.t.source.record.ended).toBe(false);
          await run.t.resume();
        }
        await run.t.waitForEnd(LONG);
        await expectDelivered(pair, run, 'main');
      }
    }, 5 * LONG);
  }

  it(`pause, resume, pause again at once, resume: the right bytes (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const run = await startThroughProxy(pair, 'main');
      proxies.push(run.proxy);
      await run.t.pause();
      await run.t.resume();
      await run.t.pause();
      await run.t.resume();
      await run.t.waitForEnd(LONG);
      await expectDelivered(pair, run, 'main');
    }
  }, 5 * LONG);

  it('cancel in each phase settles and leaves no part file after finalize', async () => {
    for (const m of moments) {
      const run = await startAt(m);
      await run.t.cancel();
      const result = await run.t.finalize('cancelled');
      expect({ moment: m.name, ...result }).toMatchObject({ moment: m.name, source: { ok: true }, destination: { ok: true } });
      expect(await hasPartFile(run.t.destination.localPath)).toBe(false);
    }
  }, 5 * LONG);

  it('pause while the destination is silent during the handshake settles; resume finishes', async () => {
    let connected: Promise<void> | undefined;
    const run = await startThroughProxy(pair, 'main', (proxy) => {
      proxy.stall();
      connected = proxy.nextConnection();
    });
    proxies.push(run.proxy);
    await connected;
    await run.t.pause();
    expect(run.t.source.state.phase).toBe('paused');
    run.proxy.release();
    await run.t.resume();
    await run.t.waitForEnd(LONG);
    await expectDelivered(pair, run, 'main');
  }, 2 * LONG);

  it('pause while the destination is silent mid-write settles (the peer never answers nor hangs up); resume finishes', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const run = await startThroughProxy(pair, 'main');
      proxies.push(run.proxy);
      await run.t.source.record.waitFor(() => run.t.source.record.reports.some((r) => r.bytesDone > 0), 'bytes', LONG);
      run.proxy.stall();
      if ((await pauseOrCompleted(run.t)) === 'paused') {
        run.proxy.release();
        await run.t.resume();
      }
      await run.t.waitForEnd(LONG);
      await expectDelivered(pair, run, 'main');
    }
  }, 5 * LONG);

  it('cancel while the destination is silent mid-write settles', async () => {
    const run = await startThroughProxy(pair, 'main');
    proxies.push(run.proxy);
    await run.t.source.record.waitFor(() => run.t.source.record.reports.some((r) => r.bytesDone > 0), 'bytes', LONG);
    run.proxy.stall();
    run.t.source.abort();
    await run.t.sourcePlugin.cancel(run.t.source);
    expect(run.t.source.state.phase).toBe('cancelled');
    run.proxy.release();
    run.t.destination.abort();
    await run.t.destinationPlugin.cancel(run.t.destination);
    expect((await run.t.finalize('cancelled')).destination).toMatchObject({ ok: true });
  }, 2 * LONG);

  it("an early pause does not make another transfer's leftover part file look like ours", async () => {
    await writeRandomFile(path.join(pair.source.driveRoot, 'one', 'data.bin'), 2 * MiB);
    for (let round = 0; round < ROUNDS; round++) {
      // plain size verification: only the bytes themselves can show a leftover was continued
      const t = await pair.transfer({ sourcePath: 'one/data.bin' });
      await fs.writeFile(path.join(t.destination.localPath, 'data.bin.ferry-part'), Buffer.alloc(MiB + 4321, 0x5a));
      await t.prepare();
      await t.triggerDestination();
      await t.triggerSource();
      await t.pause();
      await t.resume();
      await t.waitForEnd(LONG);
      expect(t.source.record.failures).toEqual([]);
      const expected = await readTree(path.join(pair.source.driveRoot, 'one'));
      expect(diffTrees(expected, await readTree(t.destination.localPath))).toEqual([]);
      expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
    }
  }, 5 * LONG);
});

describe('sftp early pause with one 4 KiB request at a time', () => {
  let pair: Pair;
  const proxies: StallProxy[] = [];

  beforeAll(async () => {
    pair = await startPair({ parallelFiles: 1, requestsInFlight: 1, chunkSize: 4096 });
    await writeSource(pair.source.driveRoot, 'tight', MiB);
  }, LONG);
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    await pair?.stop();
  });

  it(`pause right after the trigger, and again after the first bytes, then resume: every byte arrives (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const run = await startThroughProxy(pair, 'tight');
      proxies.push(run.proxy);
      await run.t.pause();
      expect(run.t.source.state.phase).toBe('paused');
      await run.t.resume();
      await run.t.source.record.waitFor(() => run.t.source.record.ended || run.t.source.record.reports.some((r) => r.bytesDone > 0), 'bytes', LONG);
      if ((await pauseOrCompleted(run.t)) === 'paused') await run.t.resume();
      await run.t.waitForEnd(LONG);
      await expectDelivered(pair, run, 'tight');
    }
  }, 5 * LONG);
});
