import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskView } from '@ferry/contracts';
import { hashTree, paceSftpSource, writeRandomFile } from '../harness';
import { ReplicatedStack, startReplicatedStack } from './support/replicated-stack.util';
import { callsSince, gatewayPluginCalls, PluginCalls } from './support/counters.util';
import { sql } from './support/sql.util';
import { pool, statesOf, TransferDriver } from './support/transfer-driver.util';

/**
 * SIGKILL of a core replica (two replicas on one PostgreSQL database, gateways reporting through a
 * balancer in front of both): during negotiation, and while transfers run. The other replica picks
 * up what the dead one held (its leases run out: 30 s), and every transfer the core recorded ends
 * where it should with the right bytes, each gateway side prepared, triggered and finalized once.
 */
const MiB = 1024 * 1024;
let stack: ReplicatedStack;
let driver: TransferDriver;

beforeAll(async () => {
  stack = await startReplicatedStack({
    name: 'core-crash',
    coreEnv: { FERRY_RATE_LIMIT_PER_MINUTE: '0', FERRY_LOG_LEVEL: 'log' },
    // one 32 KiB write in flight at A: the 96 MiB then take seconds, so the kill lands while data
    // moves however fast the machine is (at full speed all 8 transfers ended before it)
    customize: ({ gateways }) => paceSftpSource(gateways.a),
  });
  driver = new TransferDriver(stack.researcher('alice'), stack.coreUrls);
  for (let i = 0; i < 24; i++) {
    const f = path.join(stack.dirs.aData, 'neg', `n-${String(i).padStart(2, '0')}.txt`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, `negotiated ${i}\n`.repeat(50 + i));
  }
  for (let i = 0; i < 8; i++) await writeRandomFile(path.join(stack.dirs.aData, 'run', `r-${i}.bin`), 12 * MiB);
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'neg'));
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'run'));
}, 180_000);

afterAll(async () => stack?.stop(), 60_000);

const gatewayUrl = (site: 'a' | 'b') => `http://127.0.0.1:${stack.configs[site].listen.port}`;
async function pluginCalls(): Promise<{ a: PluginCalls; b: PluginCalls }> {
  return {
    a: await gatewayPluginCalls(gatewayUrl('a'), stack.coreKey.secretKey),
    b: await gatewayPluginCalls(gatewayUrl('b'), stack.coreKey.secretKey),
  };
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Tasks of the transfers whose source is under `folder` (the researcher's view, from replica `replica`). */
async function tasksFrom(folder: string, replica: number): Promise<TaskView[]> {
  return (await driver.api(replica).allTasks({ limit: 500 })).filter((t) => t.sourceLabel.includes(`:/${folder}/`));
}

it('a replica killed while negotiating: the other one finishes the negotiations; each transfer then runs once', async () => {
  const before = await pluginCalls();
  // 24 creates at once on replica 2; it is killed while some are between the two gateways' prepares
  const creates = Promise.allSettled(
    [...Array(24).keys()].map((i) => driver.create(1, `a-data:/neg/n-${String(i).padStart(2, '0')}.txt`, 'b-inbox:/neg')),
  );
  // killed once gateway A has prepared a few: those are resumed from A's stored preparations
  await waitUntil('prepares at the source', async () => {
    const a = await gatewayPluginCalls(gatewayUrl('a'), stack.coreKey.secretKey);
    return (a.prepareSource ?? 0) - (before.a.prepareSource ?? 0) >= 3 ? true : undefined;
  });
  await stack.replica.kill('SIGKILL');
  const preparedAtKill = callsSince((await pluginCalls()).a, before.a).prepareSource ?? 0;
  const results = await creates;
  const answered = results.filter((r) => r.status === 'fulfilled').length;
  const [{ n: negotiatingAtKill }] = await sql<{ n: number }>(
    stack.coreDatabaseUrl!,
    `SELECT count(*)::int AS n FROM tasks WHERE state = 'NEGOTIATING'`,
  );
  expect(negotiatingAtKill).toBeGreaterThan(0);
  expect(preparedAtKill).toBeGreaterThanOrEqual(3);

  // replica 1 resumes them once the dead replica's leases run out (30 s)
  const tasks = await waitUntil(
    'no transfer left negotiating',
    async () => {
      const ts = await tasksFrom('neg', 0);
      return ts.every((t) => t.state !== 'NEGOTIATING') ? ts : undefined;
    },
    90_000,
  );
  expect(statesOf(tasks)).toEqual({ AWAITING_TRIGGER: tasks.length });
  // one task per source file at most (a create that never reached the database made none)
  const sources = tasks.map((t) => t.sourceLabel);
  expect(new Set(sources).size).toBe(sources.length);
  expect(tasks.length).toBeGreaterThanOrEqual(answered);

  // the researcher finds them in her task list and triggers them through the live replica
  await pool(tasks, 6, async (t) => {
    const transfer = await driver.api(0).getTransfer(t.id);
    await driver.api(0).trigger(t.id, await driver.triggersFor(transfer));
  });
  const done = await driver.waitAll(
    tasks.map((t) => t.id),
    { replica: 0 },
  );
  expect(statesOf(done.values())).toEqual({ SUCCEEDED: tasks.length });

  // the data arrived once: exactly the files of the tasks, each identical to its source
  const src = await hashTree(path.join(stack.dirs.aData, 'neg'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'neg'));
  const expected = tasks.map((t) => path.posix.basename(t.sourceLabel)).sort();
  expect([...dst.files.keys()].sort()).toEqual(expected);
  for (const [rel, facts] of dst.files) expect(facts).toEqual(src.files.get(rel));

  // each side prepared, triggered and finalized once, although some prepares were asked twice
  const after = await pluginCalls();
  const n = tasks.length;
  expect(callsSince(after.a, before.a)).toEqual({ prepareSource: n, trigger: n, finalize: n });
  expect(callsSince(after.b, before.b)).toEqual({ prepareDestination: n, trigger: n, finalize: n });
  process.stdout.write(
    `core-crash/negotiation: replica killed with ${negotiatingAtKill} of 24 transfers negotiating, ${preparedAtKill} prepared at the source ` +
      `(${answered} creates answered); ` +
      `those resumed by the other replica; all ${n} recorded transfers SUCCEEDED\n`,
  );
}, 240_000);

it('a replica killed while transfers run: the other one takes the reports and finalizes; nothing twice, nothing lost', async () => {
  await stack.replica.start(); // the replica killed above, back (it may pick up work too)
  const before = await pluginCalls();
  const ids = await pool([...Array(8).keys()], 8, async (i) => (await driver.start(i, `a-data:/run/r-${i}.bin`, 'b-inbox:/run')).id);

  // kill replica 1 once data flows
  await waitUntil('a transfer moving data', async () => {
    const ts = await tasksFrom('run', 1);
    return ts.some((t) => t.state === 'RUNNING' && t.progress.bytesDone > 0) ? true : undefined;
  });
  const atKill = statesOf(await tasksFrom('run', 1));
  await stack.core.kill('SIGKILL');

  const done = await driver.waitAll(ids, { replica: 1, timeoutMs: 180_000 });
  expect(statesOf(done.values())).toEqual({ SUCCEEDED: ids.length });
  const src = await hashTree(path.join(stack.dirs.aData, 'run'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'run'));
  expect([...dst.files.entries()].sort()).toEqual([...src.files.entries()].sort());

  // the killed replica comes back: it finds nothing left to do twice
  await stack.core.start();
  await new Promise((r) => setTimeout(r, 3000));
  const after = await pluginCalls();
  const n = ids.length;
  expect(callsSince(after.a, before.a)).toEqual({ prepareSource: n, trigger: n, finalize: n });
  expect(callsSince(after.b, before.b)).toEqual({ prepareDestination: n, trigger: n, finalize: n });
  const [{ left }] = await sql<{ left: number }>(
    stack.coreDatabaseUrl!,
    `SELECT count(*)::int AS left FROM tasks WHERE cleanup_outcome IS NOT NULL OR lease_owner IS NOT NULL`,
  );
  expect(left).toBe(0);
  process.stdout.write(`core-crash/transfer: replica killed with tasks ${JSON.stringify(atKill)}; all ${n} SUCCEEDED through the other\n`);
}, 240_000);
