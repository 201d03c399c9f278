import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashTree, paceSftpSource, Stack, startStack, writeRandomFile } from '../harness';
import { RunningPostgres, startPostgres } from '../setup/postgres-server';
import { callsSince, gatewayPluginCalls, gatewayPluginErrors, PluginCalls } from './support/counters.util';
import { sql } from './support/sql.util';
import { freshConnectionFetch, pool, statesOf, TransferDriver } from './support/transfer-driver.util';

/**
 * PostgreSQL restarted while transfers run: the core and both gateways keep their databases on a
 * server of this test's own (the shared one serves other suites), which is stopped (fast shutdown:
 * every connection is cut) and started again mid-run. Everyone reconnects; every transfer finishes
 * with the right bytes, each gateway side triggered and finalized once; new transfers work after.
 */
const MiB = 1024 * 1024;
const TRANSFERS = 10;
let pg: RunningPostgres;
let stack: Stack;
let driver: TransferDriver;

beforeAll(async () => {
  pg = await startPostgres();
  stack = await startStack({
    name: 'pg-restart',
    database: 'postgres',
    postgresServerUrl: pg.url,
    coreEnv: { FERRY_RATE_LIMIT_PER_MINUTE: '0', FERRY_LOG_LEVEL: 'log' },
    // paced, so the restart lands while data moves however fast the machine is
    customize: ({ gateways }) => paceSftpSource(gateways.a),
  });
  driver = new TransferDriver(stack.researcher('alice'), [stack.coreUrl]);
  for (let i = 0; i < TRANSFERS; i++) await writeRandomFile(path.join(stack.dirs.aData, 'run', `p-${i}.bin`), 10 * MiB);
  fs.writeFileSync(path.join(stack.dirs.aData, 'after.txt'), 'after the restart\n');
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'run'));
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'after'));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
}, 60_000);

const gatewayUrl = (site: 'a' | 'b') => `http://127.0.0.1:${stack.configs[site].listen.port}`;
async function pluginCalls(): Promise<{ a: PluginCalls; b: PluginCalls; errors: number }> {
  const key = stack.coreKey.secretKey;
  return {
    a: await gatewayPluginCalls(gatewayUrl('a'), key),
    b: await gatewayPluginCalls(gatewayUrl('b'), key),
    errors: (await gatewayPluginErrors(gatewayUrl('a'), key)) + (await gatewayPluginErrors(gatewayUrl('b'), key)),
  };
}

it('PostgreSQL restarted mid-run: core and gateways reconnect and finish every transfer', async () => {
  const before = await pluginCalls();
  const ids = await pool([...Array(TRANSFERS).keys()], TRANSFERS, async (i) => (await driver.start(0, `a-data:/run/p-${i}.bin`, 'b-inbox:/run')).id);

  // restart once data flows
  const deadline = Date.now() + 60_000;
  let atRestart = {};
  for (;;) {
    const tasks = (await driver.api(0).allTasks()).filter((t) => ids.includes(t.id));
    if (tasks.some((t) => t.state === 'RUNNING' && t.progress.bytesDone > 0)) {
      atRestart = statesOf(tasks);
      break;
    }
    if (Date.now() > deadline) throw new Error('no transfer started moving data');
    await new Promise((r) => setTimeout(r, 100));
  }
  // down for a few seconds, while the researcher keeps asking the core
  const t0 = Date.now();
  const restarted = pg.restart(3000);
  const duringOutage: Array<{ status: number; code?: string; retryAfter: string | null }> = [];
  let back = false;
  void restarted.then(() => (back = true));
  while (!back) {
    const res = await freshConnectionFetch(`${stack.coreUrl}/api/tasks`, { headers: { authorization: `Bearer ${stack.tokens.alice}` } });
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    duringOutage.push({ status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') });
    await new Promise((r) => setTimeout(r, 250));
  }
  await restarted;
  const downMs = Date.now() - t0;
  // the core said so and when to come back, not 500 INTERNAL (the first probe may still have been answered)
  const refused = duringOutage.filter((a) => a.status !== 200);
  expect(refused.length).toBeGreaterThan(0);
  for (const a of refused) expect(a).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });

  const done = await driver.waitAll(ids, { timeoutMs: 180_000 });
  expect(statesOf(done.values())).toEqual({ SUCCEEDED: TRANSFERS });
  const src = await hashTree(path.join(stack.dirs.aData, 'run'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'run'));
  expect([...dst.files.entries()].sort()).toEqual([...src.files.entries()].sort());

  // prepared and triggered once per side; finalized once per side, except that a plugin call the
  // restart broke (the plugin's own database write failed) is asked again: each extra call is a failed one
  const after = await pluginCalls();
  const a = callsSince(after.a, before.a);
  const b = callsSince(after.b, before.b);
  const failedCalls = after.errors - before.errors;
  expect(a).toMatchObject({ prepareSource: TRANSFERS, trigger: TRANSFERS });
  expect(b).toMatchObject({ prepareDestination: TRANSFERS, trigger: TRANSFERS });
  const repeated = a.finalize + b.finalize - 2 * TRANSFERS;
  expect(a.finalize).toBeGreaterThanOrEqual(TRANSFERS);
  expect(b.finalize).toBeGreaterThanOrEqual(TRANSFERS);
  expect(repeated).toBeLessThanOrEqual(failedCalls);
  // and each gateway recorded exactly one finalization per transfer
  for (const db of [stack.configs.a.databaseUrl!, stack.configs.b.databaseUrl!]) {
    const rows = await sql<{ phase: string; outcome: string; n: number }>(
      db,
      `SELECT phase, outcome, count(*)::int AS n FROM gateway_transfers WHERE transfer_id = ANY($1) GROUP BY phase, outcome`,
      [ids],
    );
    expect(rows).toEqual([{ phase: 'finalized', outcome: 'succeeded', n: TRANSFERS }]);
  }

  // and the stack keeps working on the restarted server
  const next = await driver.start(0, 'a-data:/after.txt', 'b-inbox:/after');
  const [fin] = (await driver.waitAll([next.id])).values();
  expect(fin.state).toBe('SUCCEEDED');
  expect(fs.readFileSync(path.join(stack.dirs.bInbox, 'after', 'after.txt'), 'utf8')).toBe('after the restart\n');
  for (const p of [stack.core, stack.gatewayA, stack.gatewayB]) expect(p.running).toBe(true);
  process.stdout.write(
    `pg-restart: restarted with tasks ${JSON.stringify(atRestart)} (down ${downMs} ms); all ${TRANSFERS} SUCCEEDED; ` +
      `plugin calls the restart broke: ${failedCalls}, finalizes asked again: ${repeated}; ` +
      `core answers during the outage ${JSON.stringify(duringOutage.map((a) => a.status))}\n`,
  );
}, 300_000);
