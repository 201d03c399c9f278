import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CORE_PROGRESS_BATCH_PATH, CORE_PROGRESS_PATH, type ProgressBatchResponse, type ProgressReport } from '@ferry/contracts';
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
 * Progress reports ingested by the core (on PostgreSQL), signed as gateway A (its own signing key),
 * two ways in alternation each round:
 * - batched, as gateways send them: `streams` gateways' worth of transfers (64 each), each stream
 *   posting one POST /api/gateway/progress/batch with a report for each of its 64 transfers, the
 *   next as soon as the answer is back (4 such requests in flight);
 * - one report per request (POST /api/gateway/progress, 32 in flight over 64 transfers), the form
 *   a gateway uses for a lone report, kept as a second row so the table stays honest.
 * The transfers are copies of one negotiated transfer (SQL), cancelled afterwards. Requests are
 * signed before the clock starts, in chunks short enough for the signature window; the wall time
 * is the sum of the chunks' times.
 */
export const progressIngestScenario: Scenario = {
  id: 'progress-ingest',
  title: 'progress reports ingested by the core on PostgreSQL',
  async run(ctx) {
    const env = await ctx.env();
    const perBatch = 64;
    const streams = 4;
    const concurrency = 32;
    const batchedTotal = ctx.quick ? 4 * 2048 : 96 * 1024;
    const singleTotal = ctx.quick ? 2000 : 30_000;
    const template = (await env.alice.create(controlSource(env.aData), 'b-inbox:/', { mechanism: 'sftp' })).id;
    const db = new Client({ connectionString: env.coreDatabaseUrl });
    await db.connect();
    const ids = await cloneLiveTransfers(db, template, streams * perBatch);
    const keyFile = findKeyFile(env.stack.dirs.aState, 'sign');
    const key = nodeSigner(JSON.parse(fs.readFileSync(keyFile, 'utf8')).secretKey);
    const http = new HttpClient(env.stack.coreUrl, concurrency);
    const seq = new Map(ids.map((id) => [id, 0]));
    const nextReport = (id: string): ProgressReport => {
      const s = seq.get(id)! + 1;
      seq.set(id, s);
      return {
        transferId: id,
        role: 'source',
        seq: s,
        phase: 'running',
        progress: { bytesDone: s * 1000, bytesTotal: 1e12, filesDone: s, filesTotal: 1e6, rate: 1e8, eta: 100, message: null },
      };
    };
    const signed = (p: string, body: string) => ({ body, headers: signedHeaders(key, 'provider-a', p, body) });
    type Req = { body: string; headers: Record<string, string> };
    let dropped = 0;
    // one report per request, round-robin over the first 64 transfers, `concurrency` in flight
    const singleChunk = (count: number): Req[] =>
      Array.from({ length: count }, (_, i) => signed(CORE_PROGRESS_PATH, JSON.stringify(nextReport(ids[i % perBatch]))));
    const sendSingles = async (reqs: Req[]) => {
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
    // batches: stream k owns transfers [64k, 64k+64) and sends its requests one after another
    const batchChunk = (perStream: number): Req[][] =>
      Array.from({ length: streams }, (_, k) =>
        Array.from({ length: perStream }, () =>
          signed(CORE_PROGRESS_BATCH_PATH, JSON.stringify({ reports: ids.slice(k * perBatch, (k + 1) * perBatch).map(nextReport) })),
        ),
      );
    const sendBatches = async (perStream: Req[][]) => {
      await Promise.all(
        perStream.map(async (reqs) => {
          for (const r of reqs) {
            const res = await http.request('POST', CORE_PROGRESS_BATCH_PATH, r.headers, r.body);
            if (res.status !== 200) throw new Error(`a progress batch was refused: ${res.status} ${res.body.slice(0, 300)}`);
            const { results } = JSON.parse(res.body) as ProgressBatchResponse;
            const bad = results.find((x) => 'error' in x);
            if (bad) throw new Error(`a report of a batch was refused: ${JSON.stringify(bad)}`);
            dropped += results.filter((x) => 'applied' in x && !x.applied).length;
          }
        }),
      );
    };
    const ferry = env.cpu.ferry;
    /** signs `chunks` pieces of work one at a time, timing only the sending */
    const timed = async <T>(chunks: number, make: () => T, send: (x: T) => Promise<void>) => {
      let wall = 0;
      let cpu = 0;
      const parts: Record<string, number> = {};
      for (let i = 0; i < chunks; i++) {
        const work = make();
        const cpu0 = ferry.seconds();
        const parts0 = Object.fromEntries(Object.entries(ferry.parts).map(([k, g]) => [k, g.seconds()]));
        const t0 = process.hrtime.bigint();
        await send(work);
        wall += Number(process.hrtime.bigint() - t0) / 1e9;
        cpu += ferry.seconds() - cpu0;
        for (const [k, g] of Object.entries(ferry.parts)) parts[k] = (parts[k] ?? 0) + g.seconds() - parts0[k];
      }
      return { wall, cpu, parts };
    };
    const rows = {
      batched: { name: `ferry core, ${perBatch} reports per request`, values: [] as number[], walls: [] as number[], cpus: [] as number[] },
      single: { name: 'ferry core, one report per request', values: [] as number[], walls: [] as number[], cpus: [] as number[] },
    };
    try {
      // warm-up: every transfer to RUNNING, both paths once
      await sendBatches(batchChunk(4));
      await sendSingles(singleChunk(Math.min(500, singleTotal)));
      const batchRequestsPerStream = Math.ceil(batchedTotal / ctx.rounds / streams / perBatch);
      const batchChunkPerStream = 32; // 4 x 32 x 64 = 8,192 reports per signed chunk
      const singlePerRound = Math.ceil(singleTotal / ctx.rounds);
      const singleChunkSize = 1000;
      for (let r = 0; r < ctx.rounds; r++) {
        const order = r % 2 === 0 ? (['batched', 'single'] as const) : (['single', 'batched'] as const);
        for (const which of order) {
          let count: number;
          let t: { wall: number; cpu: number; parts: Record<string, number> };
          if (which === 'batched') {
            const chunks = Math.ceil(batchRequestsPerStream / batchChunkPerStream);
            const per = Math.ceil(batchRequestsPerStream / chunks);
            count = chunks * per * streams * perBatch;
            t = await timed(chunks, () => batchChunk(per), sendBatches);
          } else {
            const chunks = Math.ceil(singlePerRound / singleChunkSize);
            const per = Math.ceil(singlePerRound / chunks);
            count = chunks * per;
            t = await timed(chunks, () => singleChunk(per), sendSingles);
          }
          const row = rows[which];
          row.values.push(count / t.wall);
          row.walls.push(t.wall);
          row.cpus.push(t.cpu);
          ctx.log(
            `    round ${r + 1}, ${which}: ${count} reports in ${t.wall.toFixed(2)} s = ${(count / t.wall).toFixed(0)}/s; ` +
              `CPU ${((t.cpu / count) * 1e6).toFixed(0)} µs per report (${Object.entries(t.parts).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')})`,
          );
        }
      }
    } finally {
      http.close();
      // the copies are not real transfers: end them so that no sweeper asks gateway A about them
      await db.query(`UPDATE tasks SET state = 'CANCELLED', finished_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])`, [ids]).catch(() => undefined);
      await db.end();
    }
    const batched = single(rows.batched.name, rows.batched.values, rows.batched.walls, rows.batched.cpus);
    const one = single(rows.single.name, rows.single.values, rows.single.walls, rows.single.cpus);
    return {
      id: this.id,
      title: this.title,
      unit: 'reports/s',
      higherIsBetter: true,
      contenders: [batched, one],
      ratios: [],
      targets: [target('reports per second', '>=', 5000, batched.value.median, { ferry: batched.value.median })],
      notes: [
        `batched: ${streams} gateways' worth of ${perBatch} running transfers each, one POST /api/gateway/progress/batch of ${perBatch} reports per gateway in flight (${dropped} reports dropped as older).`,
        `one report per request: POST /api/gateway/progress over ${perBatch} transfers, ${concurrency} requests in flight, keep-alive. CPU = core + PostgreSQL (+ idle gateways).`,
      ],
      details: { transfers: ids.length, perBatch, streams, concurrency, batchedTotal, singleTotal, dropped },
    };
  },
};

/**
 * `n` copies of the template transfer and its task (still AWAITING_TRIGGER, the same providers and
 * deadline), for the progress bench: reports move them to RUNNING like a real first report would.
 */
async function cloneLiveTransfers(db: Client, template: string, n: number): Promise<string[]> {
  const cols = async (table: string) =>
    (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position`, [table])).rows.map(
      (r) => r.column_name as string,
    );
  const ids: string[] = (await db.query(`SELECT gen_random_uuid()::text AS id FROM generate_series(1, $1::int)`, [n])).rows.map((r) => r.id);
  const override: Record<string, string> = { id: 'c.id', lease_owner: 'NULL', lease_until: 'NULL' };
  const select = (table: string, names: string[]) => names.map((c) => (c in override ? override[c] : `${table}.${c}`)).join(', ');
  const from = `(SELECT unnest($2::uuid[]) AS id) c`;
  const tCols = await cols('transfers');
  const kCols = await cols('tasks');
  await db.query(`INSERT INTO transfers (${tCols.join(', ')}) SELECT ${select('transfers', tCols)} FROM transfers, ${from} WHERE transfers.id = $1`, [template, ids]);
  await db.query(`INSERT INTO tasks (${kCols.join(', ')}) SELECT ${select('tasks', kCols)} FROM tasks, ${from} WHERE tasks.id = $1`, [template, ids]);
  return ids;
}

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
