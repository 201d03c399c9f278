import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CORE_PROGRESS_PATH, type ProgressReport } from '@ferry/contracts';
import { HttpClient } from '../http-client.util';
import { percentile, summarize, target, type ContenderResult } from '../measure';
import type { Scenario } from '../scenario';

/** a small file to negotiate transfers of (the control-plane scenarios move no data) */
function controlSource(aData: string): string {
  const f = path.join(aData, 'control', 'one.txt');
  if (!fs.existsSync(f)) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, 'ferry bench\n');
  }
  return 'a-data:/control/one.txt';
}

function single(name: string, values: number[], wall: number[], cpu: number[]): ContenderResult {
  return { name, ferry: true, values, value: summarize(values), wallSeconds: summarize(wall), cpuSeconds: summarize(cpu) };
}

/**
 * Negotiation: POST /api/transfers until the answer with both gateways' sealed offers is back
 * (the core authorizes, asks gateway A to prepare, then gateway B with A's public parameters).
 */
export const negotiationScenario: Scenario = {
  id: 'negotiation',
  title: 'negotiation (initiate -> sealed parameters back), two gateways',
  async run(ctx) {
    const env = await ctx.env();
    const n = ctx.quick ? 20 : 200;
    const ms: number[] = [];
    const ferry = env.cpu.ferry;
    for (let i = 0; i < 5; i++) await env.alice.create(controlSource(env.aData), 'b-inbox:/'); // warm-up
    const cpu0 = ferry.seconds();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      const t = await env.alice.create(controlSource(env.aData), 'b-inbox:/', { mechanism: 'sftp' });
      ms.push(Number(process.hrtime.bigint() - s) / 1e6);
      if (t.offers.length !== 2) throw new Error(`negotiation returned ${t.offers.length} offers`);
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = ferry.seconds() - cpu0;
    const c = single('ferry', ms, [wall / n], [cpu / n]);
    return {
      id: this.id,
      title: this.title,
      unit: 'ms',
      higherIsBetter: false,
      contenders: [c],
      ratios: [],
      targets: [target('median ms', '<=', 25, c.value.median, { ferry: c.value.median })],
      notes: [`${n} negotiations one after another; p95 ${percentile(ms, 95).toFixed(1)} ms; CPU per negotiation (core + gateways + PostgreSQL) ${((cpu / n) * 1000).toFixed(1)} ms.`],
      details: { count: n, p95: percentile(ms, 95) },
    };
  },
};

/** Ed25519 signing with node's crypto (tweetnacl is too slow to sign tens of thousands of requests). */
function nodeSigner(secretKeyB64: string): KeyObject {
  const seed = Buffer.from(secretKeyB64, 'base64').subarray(0, 32);
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
}

function signedHeaders(key: KeyObject, keyId: string, p: string, body: string): Record<string, string> {
  const timestamp = String(Date.now());
  const nonce = randomBytes(18).toString('base64');
  const hash = createHash('sha512').update(body).digest('hex');
  const sig = sign(null, Buffer.from(`POST\n${p}\n${timestamp}\n${nonce}\n${hash}`), key);
  return {
    'content-type': 'application/json',
    'x-ferry-key-id': keyId,
    'x-ferry-timestamp': timestamp,
    'x-ferry-nonce': nonce,
    'x-ferry-signature': sig.toString('base64'),
  };
}

/**
 * Progress reports ingested by the core (on PostgreSQL): signed POST /api/gateway/progress as
 * gateway A (its own signing key), spread over many transfers, many in flight. Requests are
 * signed before the clock starts, so the figure is the core's, not the bench's signing.
 */
export const progressIngestScenario: Scenario = {
  id: 'progress-ingest',
  title: 'progress reports ingested by the core on PostgreSQL',
  async run(ctx) {
    const env = await ctx.env();
    const transfers = ctx.quick ? 16 : 64;
    const total = ctx.quick ? 2000 : 30_000;
    const concurrency = 32;
    const ids: string[] = [];
    for (let i = 0; i < transfers; i++) ids.push((await env.alice.create(controlSource(env.aData), 'b-inbox:/', { mechanism: 'sftp' })).id);
    const keyFile = findKeyFile(env.stack.dirs.aState, 'sign');
    const key = nodeSigner(JSON.parse(fs.readFileSync(keyFile, 'utf8')).secretKey);
    const http = new HttpClient(env.stack.coreUrl, concurrency);
    const rounds: number[] = [];
    const cpus: number[] = [];
    const walls: number[] = [];
    const seq = new Map(ids.map((id) => [id, 0]));
    const batch = (count: number) =>
      Array.from({ length: count }, (_, i) => {
        const id = ids[i % ids.length];
        const s = seq.get(id)! + 1;
        seq.set(id, s);
        const report: ProgressReport = {
          transferId: id,
          role: 'source',
          seq: s,
          phase: 'running',
          progress: { bytesDone: s * 1000, bytesTotal: 1e12, filesDone: s, filesTotal: 1e6, rate: 1e8, eta: 100, message: null },
        };
        const body = JSON.stringify(report);
        return { body, headers: signedHeaders(key, 'provider-a', CORE_PROGRESS_PATH, body) };
      });
    const send = async (reqs: Array<{ body: string; headers: Record<string, string> }>) => {
      let next = 0;
      let failed = '';
      const worker = async () => {
        while (next < reqs.length) {
          const r = reqs[next++];
          const res = await http.request('POST', CORE_PROGRESS_PATH, r.headers, r.body);
          if (res.status >= 300 && !failed) failed = `${res.status} ${res.body.slice(0, 300)}`;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      if (failed) throw new Error(`a progress report was refused: ${failed}`);
    };
    try {
      await send(batch(Math.min(500, total))); // warm-up (and moves the tasks to RUNNING)
      const ferry = env.cpu.ferry;
      const perRound = Math.ceil(total / ctx.rounds);
      for (let r = 0; r < ctx.rounds; r++) {
        const reqs = batch(perRound);
        const cpu0 = ferry.seconds();
        const parts0 = Object.fromEntries(Object.entries(ferry.parts).map(([k, g]) => [k, g.seconds()]));
        const t0 = process.hrtime.bigint();
        await send(reqs);
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        cpus.push(ferry.seconds() - cpu0);
        walls.push(wall);
        rounds.push(perRound / wall);
        ctx.log(`    round ${r + 1}: ${perRound} reports in ${wall.toFixed(2)} s = ${(perRound / wall).toFixed(0)}/s; CPU ${Object.entries(ferry.parts).map(([k, g]) => `${k} ${(g.seconds() - parts0[k]).toFixed(2)} s`).join(', ')}`);
      }
    } finally {
      http.close();
    }
    const c = single('ferry core', rounds, walls, cpus);
    return {
      id: this.id,
      title: this.title,
      unit: 'reports/s',
      higherIsBetter: true,
      contenders: [c],
      ratios: [],
      targets: [target('reports per second', '>=', 5000, c.value.median, { ferry: c.value.median })],
      notes: [`${transfers} transfers, ${concurrency} requests in flight, keep-alive; CPU = core + PostgreSQL (+ idle gateways).`],
      details: { transfers, concurrency, total },
    };
  },
};

function findKeyFile(stateDir: string, kind: 'sign' | 'box'): string {
  for (const p of [path.join(stateDir, `${kind}.key.json`), path.join(stateDir, 'keys', `${kind}.key.json`)]) if (fs.existsSync(p)) return p;
  throw new Error(`no ${kind}.key.json under ${stateDir}`);
}

/**
 * GET /api/tasks (first page, the default 50) for a user who owns 100,000 tasks. The rows are
 * copies of a real negotiated transfer, inserted with SQL (ended states, spread over time).
 */
export const taskListScenario: Scenario = {
  id: 'task-list',
  title: 'GET /api/tasks for a user with 100,000 tasks',
  async run(ctx) {
    const env = await ctx.env();
    const count = ctx.quick ? 10_000 : 100_000;
    const requests = ctx.quick ? 200 : 1000;
    const template = (await env.alice.create(controlSource(env.aData), 'b-inbox:/', { mechanism: 'sftp' })).id;
    const db = new Client({ connectionString: env.coreDatabaseUrl });
    await db.connect();
    try {
      const bob = (await db.query(`SELECT id FROM users WHERE name = 'bob'`)).rows[0]?.id as string;
      if (!bob) throw new Error('user bob is missing from the seed');
      const have = Number((await db.query(`SELECT count(*) AS n FROM tasks WHERE owner_id = $1`, [bob])).rows[0].n);
      if (have < count) await cloneTasks(db, template, bob, count - have);
    } finally {
      await db.end();
    }
    const http = new HttpClient(env.stack.coreUrl, 1);
    const headers = { authorization: `Bearer ${env.stack.tokens.bob}` };
    const ms: number[] = [];
    const walls: number[] = [];
    const cpus: number[] = [];
    try {
      for (let i = 0; i < 20; i++) await http.request('GET', '/api/tasks', headers); // warm-up
      const ferry = env.cpu.ferry;
      const cpu0 = ferry.seconds();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < requests; i++) {
        const s = process.hrtime.bigint();
        const res = await http.request('GET', '/api/tasks', headers);
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (res.status !== 200) throw new Error(`GET /api/tasks answered ${res.status}: ${res.body.slice(0, 200)}`);
        if (i === 0 && JSON.parse(res.body).items.length !== 50) throw new Error('GET /api/tasks did not return a full page');
      }
      walls.push(Number(process.hrtime.bigint() - t0) / 1e9 / requests);
      cpus.push((ferry.seconds() - cpu0) / requests);
    } finally {
      http.close();
    }
    const p95 = percentile(ms, 95);
    const c = single('ferry core', ms, walls, cpus);
    return {
      id: this.id,
      title: ctx.quick ? `GET /api/tasks for a user with ${count.toLocaleString('en')} tasks (quick)` : this.title,
      unit: 'ms',
      higherIsBetter: false,
      contenders: [c],
      ratios: [],
      targets: [target('p95 ms', '<=', 20, p95, { ferry: p95 })],
      notes: [`${requests} requests one after another (first page of 50); median ${c.value.median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, p99 ${percentile(ms, 99).toFixed(2)} ms.`],
      details: { tasks: count, requests, p95, p99: percentile(ms, 99) },
    };
  },
};

/** Copies the template transfer and its task `n` times for `owner`: ended tasks, one a minute apart. */
async function cloneTasks(db: Client, template: string, owner: string, n: number): Promise<void> {
  const cols = async (table: string) =>
    (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position`, [table])).rows.map(
      (r) => r.column_name as string,
    );
  const override: Record<string, string> = {
    id: 'bench_ids.id',
    owner_id: '$2::uuid',
    created_at: `now() - bench_ids.n * interval '1 minute'`,
    updated_at: `now() - bench_ids.n * interval '1 minute'`,
    state: `'SUCCEEDED'`,
    finished_at: `now() - bench_ids.n * interval '1 minute' + interval '30 seconds'`,
    lease_owner: 'NULL',
    lease_until: 'NULL',
    cleanup_outcome: 'NULL',
    operations: `'{}'`,
  };
  const select = (table: string, names: string[]) => names.map((c) => (c in override ? override[c] : `${table}.${c}`)).join(', ');
  await db.query(`CREATE TEMP TABLE bench_ids AS SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, $1::int) g`, [n]);
  const tCols = await cols('transfers');
  const kCols = await cols('tasks');
  await db.query(`INSERT INTO transfers (${tCols.join(', ')}) SELECT ${select('transfers', tCols)} FROM transfers, bench_ids WHERE transfers.id = $1`, [template, owner]);
  await db.query(`INSERT INTO tasks (${kCols.join(', ')}) SELECT ${select('tasks', kCols)} FROM tasks, bench_ids WHERE tasks.id = $1`, [template, owner]);
  await db.query(`DROP TABLE bench_ids`);
  await db.query(`ANALYZE tasks`);
  await db.query(`ANALYZE transfers`);
}
