import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashTree } from '../harness';
import { ReplicatedStack, startReplicatedStack } from './support/replicated-stack.util';
import { callsSince, coreProviderCalls, gatewayPluginCalls, PluginCalls, sumCounts } from './support/counters.util';
import { sql } from './support/sql.util';
import { pool, statesOf, TransferDriver } from './support/transfer-driver.util';

/**
 * Scale-out: two core replicas and two gateways on one PostgreSQL server. 300 transfers are
 * initiated alternately on both replicas (and triggered on the other one), and a set is left
 * untriggered until its deadline. Every piece of gateway work must happen exactly once: counted at
 * the gateways (their plugin call counters) and at the cores (calls each replica made, summed).
 */
const TRANSFERS = Number(process.env.FERRY_SCALE_TRANSFERS ?? 300);
const UNTRIGGERED = 24;
const DEADLINE_SECONDS = 30;
const IN_FLIGHT = 12;

let stack: ReplicatedStack;
let coreKey: string;
const before: { a: PluginCalls; b: PluginCalls } = { a: {}, b: {} };

beforeAll(async () => {
  stack = await startReplicatedStack({
    name: 'replicas',
    coreEnv: {
      FERRY_TRIGGER_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
      // one researcher drives hundreds of transfers: the per-token limit is not what is tested here
      FERRY_RATE_LIMIT_PER_MINUTE: '0',
      FERRY_LOG_LEVEL: 'log',
    },
  });
  coreKey = stack.coreKey.secretKey;
  for (let i = 0; i < TRANSFERS; i++) {
    fs.mkdirSync(path.join(stack.dirs.aData, 'many'), { recursive: true });
    fs.writeFileSync(path.join(stack.dirs.aData, 'many', name(i)), `transfer ${i}\n`.repeat(1 + (i % 97)));
  }
  fs.mkdirSync(path.join(stack.dirs.aData, 'never'), { recursive: true });
  fs.writeFileSync(path.join(stack.dirs.aData, 'never', 'untouched.txt'), 'never sent\n');
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'many'));
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'never'));
  before.a = await gatewayPluginCalls(url(stack.configs.a.listen.port), coreKey);
  before.b = await gatewayPluginCalls(url(stack.configs.b.listen.port), coreKey);
}, 120_000);

afterAll(async () => stack?.stop(), 60_000);

const name = (i: number) => `f-${String(i).padStart(4, '0')}.txt`;
const url = (port: number) => `http://127.0.0.1:${port}`;

it(`${TRANSFERS} transfers across two replicas: each negotiated, triggered and finalized once; ${UNTRIGGERED} expire once`, async () => {
  const driver = new TransferDriver(stack.researcher('alice'), stack.coreUrls);
  const started = Date.now();

  // the untriggered set first, so its deadline passes while the others are still being moved
  const untriggered = await pool([...Array(UNTRIGGERED).keys()], IN_FLIGHT, async (i) => {
    const t = await driver.create(i, 'a-data:/never/untouched.txt', 'b-inbox:/never');
    expect(t.state).toBe('AWAITING_TRIGGER');
    return t.id;
  });

  // created on replica i % 2, triggered on the other one
  const moved = await pool([...Array(TRANSFERS).keys()], IN_FLIGHT, async (i) => {
    const t = await driver.start(i, `a-data:/many/${name(i)}`, 'b-inbox:/many', i + 1);
    expect(['STARTING', 'RUNNING', 'FINALIZING', 'SUCCEEDED']).toContain(t.state);
    return t.id;
  });

  const done = await driver.waitAll(moved, { timeoutMs: 240_000 });
  const expired = await driver.waitAll(untriggered, { replica: 1, timeoutMs: (DEADLINE_SECONDS + 60) * 1000 });
  // ended tasks may still have gateways to tell (the expired ones): wait until every gateway heard
  await waitNoCleanupPending(stack.coreDatabaseUrl!);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  expect(statesOf(done.values())).toEqual({ SUCCEEDED: TRANSFERS });
  expect(statesOf(expired.values())).toEqual({ EXPIRED: UNTRIGGERED });
  for (const t of expired.values()) expect(t.error?.code).toBe('EXPIRED');

  // every byte arrived, once: the destination folder holds exactly the source files
  const src = await hashTree(path.join(stack.dirs.aData, 'many'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'many'));
  expect([...dst.files.entries()].sort()).toEqual([...src.files.entries()].sort());
  expect(fs.readdirSync(path.join(stack.dirs.bInbox, 'never'))).toEqual([]);

  // the gateways' own counters: one plugin prepare per role, one trigger per side, one finalize per side
  const a = callsSince(await gatewayPluginCalls(url(stack.configs.a.listen.port), coreKey), before.a);
  const b = callsSince(await gatewayPluginCalls(url(stack.configs.b.listen.port), coreKey), before.b);
  const all = TRANSFERS + UNTRIGGERED;
  expect(a).toEqual({ prepareSource: all, trigger: TRANSFERS, finalize: all, cancel: UNTRIGGERED });
  expect(b).toEqual({ prepareDestination: all, trigger: TRANSFERS, finalize: all, cancel: UNTRIGGERED });

  // the cores' own counts of calls to the gateways, summed over both replicas: nothing repeated
  const perReplica = await Promise.all(stack.coreUrls.map((u) => coreProviderCalls(u)));
  const calls = sumCounts(...perReplica.map(withoutDescriptor));
  expect(calls).toEqual({
    'provider-a prepare': all,
    'provider-b prepare': all,
    'provider-a trigger': TRANSFERS,
    'provider-b trigger': TRANSFERS,
    'provider-a finalize': all,
    'provider-b finalize': all,
  });
  // each replica negotiated the transfers created on it and relayed the triggers sent to it
  for (const c of perReplica) {
    expect(c['provider-a prepare']).toBe(all / 2);
    expect(c['provider-b trigger']).toBe(TRANSFERS / 2);
  }

  // the gateways' databases agree: one row per transfer and role, each finalized with its outcome
  for (const db of [stack.configs.a.databaseUrl!, stack.configs.b.databaseUrl!]) {
    const rows = await sql<{ phase: string; outcome: string; n: number }>(
      db,
      `SELECT phase, outcome, count(*)::int AS n FROM gateway_transfers GROUP BY phase, outcome ORDER BY outcome`,
    );
    expect(rows).toEqual([
      { phase: 'finalized', outcome: 'expired', n: UNTRIGGERED },
      { phase: 'finalized', outcome: 'succeeded', n: TRANSFERS },
    ]);
  }

  const finalizeBy = perReplica.map((c) => (c['provider-b finalize'] ?? 0) as number);
  // figures for the report
  process.stdout.write(
    `replicas: ${TRANSFERS} transfers SUCCEEDED + ${UNTRIGGERED} EXPIRED in ${seconds} s; ` +
      `gateway A plugin calls ${JSON.stringify(a)}, gateway B ${JSON.stringify(b)}; ` +
      `core calls per replica ${JSON.stringify(perReplica.map(withoutDescriptor))}; finalize at B by replica ${finalizeBy.join('/')}\n`,
  );
}, 420_000);

function withoutDescriptor(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).filter(([k]) => !k.endsWith(' descriptor')));
}

async function waitNoCleanupPending(dbUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [r] = await sql<{ n: number }>(dbUrl, `SELECT count(*)::int AS n FROM tasks WHERE cleanup_outcome IS NOT NULL OR state = 'FINALIZING'`);
    if (r.n === 0) return;
    await new Promise((res) => setTimeout(res, 300));
  }
  throw new Error('gateways were still to be told how tasks ended after 60 s');
}
