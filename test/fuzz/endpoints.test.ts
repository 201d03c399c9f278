import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { ENVELOPE_ALG, generateBoxKeyPair, generateSigningKeyPair, randomToken, signRequest } from '@ferry/crypto';
import { ERROR_STATUS } from '@ferry/contracts';
import { listAll, Stack, startStack } from '../harness';
import { databaseFingerprint } from '../scale/support/sql.util';
import { mappedRoutes, rawRequest, RawResponse } from './support/raw-http.util';
import { AppShape, AuthChoice, mutate, planArbitrary, RequestPlan, Route, withNul } from './support/request.arbitraries';

/**
 * Property-based fuzz of every public endpoint of the core (/api/* with admin and the gateway
 * progress endpoint, /health, /metrics, the web app) and of a gateway (/ferry/v1/*, /.well-known,
 * /health, /metrics), as real processes on PostgreSQL. Routes are read from the apps' own start-up
 * logs, so an endpoint added later is fuzzed too. Requests are written byte for byte: odd paths and
 * encodings, query strings, bad JSON, wrong types, huge numbers, unicode, traversal strings, missing
 * or garbage credentials, and request signatures that are missing, forged, stale or valid over a bad
 * body. Every answer must be below 500, error answers must carry the code their status belongs to,
 * and nothing may be written: every table of all three databases, the drives and the gateways'
 * secrets are compared before and after.
 *
 * Writes are ruled out by construction, not by luck: bodies with a template are always broken in one
 * field (a value of another JSON type), admin writes with the admin's token get an unknown property
 * (the admin API's schemas are strict) and garbage path parameters, and state-changing routes are only
 * pointed at the untriggered fixture transfer with bodies that cannot be valid.
 */
const CORE_RUNS = Number(process.env.FERRY_FUZZ_CORE_RUNS ?? 3000);
const GATEWAY_RUNS = Number(process.env.FERRY_FUZZ_GATEWAY_RUNS ?? 2000);
const HUGE = Buffer.alloc(1_100_000, 0x61);

let stack: Stack;
let adminToken: string;
let fixtureId: string;
let providerKey: { secretKey: string };

beforeAll(async () => {
  adminToken = randomToken();
  stack = await startStack({
    name: 'fuzz',
    database: 'postgres',
    // the fuzz sends thousands of requests with one token: rate limiting would answer most with 429
    coreEnv: { FERRY_RATE_LIMIT_PER_MINUTE: '0', FERRY_LOG_LEVEL: 'log' },
    customize: (w) => void w.seed.users.push({ name: 'root', admin: true, tokens: [adminToken] }),
  });
  fs.writeFileSync(path.join(stack.dirs.aData, 'x.txt'), 'fuzz fixture\n');
  // one transfer negotiated and left untriggered: ids that exist, at the core and at both gateways
  fixtureId = (await stack.researcher('alice').create('a-data:/x.txt', 'b-inbox:/')).id;
  providerKey = JSON.parse(fs.readFileSync(path.join(stack.dirs.aState, 'sign.key.json'), 'utf8'));
}, 120_000);

afterAll(async () => stack?.stop(), 60_000);

interface Finding {
  request: string;
  status: number;
  body: string;
}

interface Outcome {
  runs: number;
  byStatus: Record<string, number>;
  findings: Finding[];
}

const corePort = () => Number(new URL(stack.coreUrl).port);
const gatewayPort = () => stack.configs.a.listen.port;

function coreShape(): AppShape {
  const routes: Route[] = [
    ...mappedRoutes(stack.core.log()),
    { method: 'GET', path: '/' },
    { method: 'GET', path: '/api/docs-json' },
    { method: 'GET', path: '/no/such/page' },
  ];
  const userKey = generateBoxKeyPair().publicKey;
  const envelope = { v: 1, alg: ENVELOPE_ALG, epk: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', nonce: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', ct: 'AAAA' };
  const templates: Record<string, unknown> = {
    'POST /api/transfers': {
      source: { driveId: 'a-data', path: 'x.txt' },
      destination: { driveId: 'b-inbox', path: '' },
      userPublicKey: userKey,
      options: { verify: 'size', label: 'fuzz' },
    },
    'POST /api/transfers/:id/trigger': { triggers: [{ role: 'destination', envelope }, { role: 'source', envelope }] },
    'POST /api/gateway/progress': {
      transferId: '6f1c2a57-52b4-4e4f-9f3c-0b9a4c3c1d2e',
      role: 'source',
      seq: 1,
      phase: 'running',
      progress: { bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null },
      manifest: { verify: 'size', files: [{ path: 'x.txt', size: 2 }] },
    },
    'POST /api/gateway/progress/batch': {
      reports: [
        {
          transferId: '6f1c2a57-52b4-4e4f-9f3c-0b9a4c3c1d2e',
          role: 'source',
          seq: 2,
          phase: 'running',
          progress: { bytesDone: 1, bytesTotal: 2, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null },
        },
        { transferId: '6f1c2a57-52b4-4e4f-9f3c-0b9a4c3c1d2f', role: 'destination', seq: 1, phase: 'failed', progress: { bytesDone: 0, bytesTotal: null, filesDone: 0, filesTotal: null, rate: null, eta: null, message: 'x' }, error: { code: 'X', message: 'y' } },
      ],
    },
    'POST /api/admin/users': { name: 'fuzzer', admin: false },
    'PATCH /api/admin/users/:name': { admin: true, disabled: false },
    'POST /api/admin/tokens': { user: 'alice', label: 'fuzz' },
    'POST /api/admin/projects': { name: 'fuzz' },
    'POST /api/admin/drives': { id: 'fuzz', name: 'Fuzz', provider: 'provider-a', gatewayDrive: 'data' },
    'PATCH /api/admin/drives/:id': { name: 'Fuzz' },
    'POST /api/admin/acl/grant': { drive: 'a-data', user: 'bob', permissions: ['WRITE'] },
    'POST /api/admin/acl/revoke': { drive: 'a-data', user: 'alice', permissions: ['READ'] },
    'PUT /api/admin/mappings': { user: 'carol', provider: 'provider-a', identity: 'carol' },
    'POST /api/admin/providers': { id: 'provider-z', name: 'Z', url: 'http://127.0.0.1:9' },
    'PUT /api/admin/providers/:id/keys': { signPublicKey: generateSigningKeyPair().publicKey, boxPublicKey: userKey },
  };
  return {
    routes,
    known: [fixtureId, 'alice', 'root', 'bob', 'a-data', 'b-inbox', 'provider-a', 'provider-b', 'climate'],
    templates: (r) => templates[`${r.method} ${r.path}`],
    auths: ['none', 'user', 'admin', 'other-user', 'garbage', 'empty', 'basic', 'lowercase', 'huge', 'unicode'],
    signatures: ['none', 'valid', 'garbage', 'stale', 'other-key', 'unknown-key-id', 'body-changed'],
  };
}

function gatewayShape(): AppShape {
  const routes: Route[] = [...mappedRoutes(stack.gatewayA.log()), { method: 'GET', path: '/' }, { method: 'GET', path: '/ferry/v1/nothing' }];
  const envelope = { v: 1, alg: ENVELOPE_ALG, epk: 'AAAA', nonce: 'AAAA', ct: 'AAAA' };
  const templates: Record<string, unknown> = {
    'POST /ferry/v1/transfers/prepare': {
      transferId: 'f6b0c1de-8e1b-4a57-9a0e-2c7f4a3b5d6e',
      role: 'source',
      identity: 'alice',
      drive: 'data',
      path: 'x.txt',
      peer: { providerId: 'provider-b', name: 'Provider B', signPublicKey: 'AAAA', boxPublicKey: 'AAAA', mechanisms: ['sftp'] },
      userPublicKey: generateBoxKeyPair().publicKey,
      options: { verify: 'size' },
      triggerDeadline: new Date(Date.now() + 3_600_000).toISOString(),
    },
    'POST /ferry/v1/transfers/:id/trigger': { role: 'source', envelope },
    'POST /ferry/v1/transfers/:id/control': { action: 'cancel', role: 'source' },
    'POST /ferry/v1/transfers/:id/finalize': { outcome: 'cancelled', role: 'source', reason: 'fuzz' },
    'POST /ferry/v1/browse': { identity: 'alice', drive: 'data', path: '' },
  };
  return {
    routes,
    known: [fixtureId, 'source', 'destination', 'data', 'alice'],
    templates: (r) => templates[`${r.method} ${r.path}`],
    auths: ['none', 'garbage', 'huge', 'unicode'],
    signatures: ['none', 'valid', 'valid', 'garbage', 'stale', 'other-key', 'unknown-key-id', 'body-changed'],
  };
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Turns a plan into bytes: the safety rules (see the file comment), credentials, signature. */
function build(app: 'core' | 'gateway', shape: AppShape, plan: RequestPlan) {
  const write = WRITES.has(plan.method);
  const adminWrite = app === 'core' && write && plan.route.path.startsWith('/api/admin');
  // state-changing calls may name the fixture only where every body we send is refused
  const mayNameFixture = !write || (app === 'core' ? plan.route.path === '/api/transfers/:id/trigger' : plan.route.path.startsWith('/ferry/v1/transfers/:id'));
  let i = 0;
  const target =
    plan.route.path.replace(/:[A-Za-z]+/g, () => {
      const [mixed, garbage] = plan.params[i++];
      return mayNameFixture && !adminWrite ? mixed : garbage;
    }) + plan.query;

  let body: Buffer;
  const template = shape.templates(plan.route);
  switch (plan.body.kind) {
    case 'empty':
      body = Buffer.alloc(0);
      break;
    case 'json':
      body = Buffer.from(JSON.stringify(strictBreaker(plan.body.value, adminWrite)));
      break;
    case 'mutated':
      body = Buffer.from(JSON.stringify(strictBreaker(mutate(template, plan.body.index, plan.body.replacement), adminWrite)));
      break;
    case 'nul':
      body = Buffer.from(JSON.stringify(strictBreaker(withNul(template, plan.body.index, plan.body.text), adminWrite)));
      break;
    case 'raw':
      body = Buffer.from(plan.body.text, 'utf8');
      break;
    case 'huge':
      body = HUGE;
      break;
  }

  const headers: Array<[string, string]> = [...plan.headers];
  if (plan.contentType) headers.push(['content-type', plan.contentType]);
  const auth = authHeader(plan.auth);
  if (auth !== null) headers.push(['authorization', auth]);
  headers.push(...signatureHeaders(app, plan, target, body));
  return { method: plan.method, target, headers, body };
}

/** Admin writes with the admin's token: an unknown property, which the strict admin schemas refuse. */
function strictBreaker(value: unknown, adminWrite: boolean): unknown {
  if (!adminWrite) return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) return { ...value, fuzzUnknownProperty: true };
  return value;
}

function authHeader(a: AuthChoice): string | null {
  switch (a) {
    case 'none':
      return null;
    case 'user':
      return `Bearer ${stack.tokens.alice}`;
    case 'admin':
      return `Bearer ${adminToken}`;
    case 'other-user':
      return `Bearer ${stack.tokens.bob}`;
    case 'garbage':
      return `Bearer ${randomToken()}`;
    case 'empty':
      return 'Bearer ';
    case 'basic':
      return `Basic ${Buffer.from(`alice:${stack.tokens.alice}`).toString('base64')}`;
    case 'lowercase':
      return `bearer ${stack.tokens.alice}`;
    case 'huge':
      return `Bearer ${'A'.repeat(10_000)}`;
    case 'unicode':
      return `Bearer \u00fc\u00ff${stack.tokens.alice}`;
  }
}

function signatureHeaders(app: 'core' | 'gateway', plan: RequestPlan, target: string, body: Buffer): Array<[string, string]> {
  const keyId = app === 'core' ? 'provider-a' : 'core';
  const secretKey = app === 'core' ? providerKey.secretKey : stack.coreKey.secretKey;
  const sign = (over: Partial<{ keyId: string; key: string; now: number; body: Buffer }> = {}) =>
    Object.entries(
      signRequest({
        method: plan.method,
        path: target,
        body: over.body ?? body,
        keyId: over.keyId ?? keyId,
        signSecretKey: over.key ?? secretKey,
        now: over.now,
      }),
    ) as Array<[string, string]>;
  switch (plan.signature) {
    case 'none':
      return [];
    case 'valid':
      return sign();
    case 'stale':
      return sign({ now: Date.now() - 600_000 });
    case 'other-key':
      return sign({ key: generateSigningKeyPair().secretKey });
    case 'unknown-key-id':
      return sign({ keyId: 'provider-zz' });
    case 'body-changed':
      return sign({ body: Buffer.from('{}') });
    case 'garbage':
      return [
        ['x-ferry-key-id', keyId],
        ['x-ferry-timestamp', 'yesterday'],
        ['x-ferry-nonce', '!!'],
        ['x-ferry-signature', 'AAAA'],
      ];
  }
}

/** What the answer must look like: below 500, and an error body that matches its status. */
function judge(app: 'core' | 'gateway', method: string, res: RawResponse): string | null {
  if (res.status >= 500) return 'a 5xx answer';
  // (an answer to HEAD has the headers of the GET answer and no body)
  if (res.status >= 400 && method !== 'HEAD' && /application\/json/.test(res.headers['content-type'] ?? '')) {
    let body: { error?: { code?: string } };
    try {
      body = JSON.parse(res.body);
    } catch {
      return 'an error answer whose JSON does not parse';
    }
    const code = body.error?.code as keyof typeof ERROR_STATUS | undefined;
    if (!code || !(code in ERROR_STATUS)) return `an error answer without a known code (${app})`;
    if (ERROR_STATUS[code] !== res.status) return `code ${code} with status ${res.status}`;
  }
  return null;
}

async function fuzz(app: 'core' | 'gateway', runs: number, seed: number): Promise<Outcome> {
  const shape = app === 'core' ? coreShape() : gatewayShape();
  const port = app === 'core' ? corePort() : gatewayPort();
  const outcome: Outcome = { runs: 0, byStatus: {}, findings: [] };
  await fc.assert(
    fc.asyncProperty(planArbitrary(shape), async (plan) => {
      const req = build(app, shape, plan);
      const res = await rawRequest(port, req).catch((e) => ({ status: 0, headers: {}, body: String((e as Error).message) }));
      record(outcome, app, req, res);
      return true; // findings are collected, so one run reports all of them
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  return outcome;
}

/**
 * Besides the random plans: every route once with each of a few path parameters that have broken
 * servers before (NUL, a long one, traversal, a non-UUID), with each credential that gets past
 * authentication, and no body (path parameters here never name anything that exists); and HEAD on
 * every GET route.
 */
async function sweep(app: 'core' | 'gateway'): Promise<Outcome> {
  const shape = app === 'core' ? coreShape() : gatewayShape();
  const port = app === 'core' ? corePort() : gatewayPort();
  const outcome: Outcome = { runs: 0, byStatus: {}, findings: [] };
  const values = ['%00', 'a%00b', '%01%1f', 'x'.repeat(4000), '..', '%2e%2e', 'not-a-uuid', '%F0%9F%9A%A2'];
  const auths: AuthChoice[] = app === 'core' ? ['user', 'admin'] : ['none'];
  for (const route of shape.routes.filter((r) => r.path.includes(':'))) {
    for (const value of values) {
      for (const auth of auths) {
        const plan: RequestPlan = {
          route,
          method: route.method,
          params: (route.path.match(/:[A-Za-z]+/g) ?? []).map(() => [value, value]),
          query: '',
          auth,
          signature: 'valid',
          contentType: 'application/json',
          headers: [],
          body: { kind: 'empty' },
        };
        const req = build(app, shape, plan);
        const res = await rawRequest(port, req).catch((e) => ({ status: 0, headers: {}, body: String(e) }));
        record(outcome, app, req, res);
      }
    }
  }
  // and HEAD on every GET route (an event stream must answer it too)
  for (const route of shape.routes.filter((r) => r.method === 'GET' && !r.path.includes(':'))) {
    const plan: RequestPlan = { route, method: 'HEAD', params: [], query: '', auth: auths[0], signature: 'valid', contentType: null, headers: [], body: { kind: 'empty' } };
    const req = build(app, shape, plan);
    record(outcome, app, req, await rawRequest(port, req).catch((e) => ({ status: 0, headers: {}, body: String(e) })));
  }
  return outcome;
}

function record(outcome: Outcome, app: 'core' | 'gateway', req: ReturnType<typeof build>, res: RawResponse): void {
  outcome.runs++;
  const cls = res.status === 0 ? 'no answer' : `${Math.floor(res.status / 100)}xx`;
  outcome.byStatus[cls] = (outcome.byStatus[cls] ?? 0) + 1;
  const wrong = res.status === 0 ? 'no answer' : judge(app, req.method, res);
  if (wrong && outcome.findings.length < 25) {
    outcome.findings.push({
      request: `${wrong}: ${req.method} ${req.target.slice(0, 300)} [${req.headers.map(([k, v]) => `${k}: ${v.slice(0, 60)}`).join(' | ')}] body ${req.body.toString('utf8').slice(0, 300)}`,
      status: res.status,
      body: res.body.slice(0, 300),
    });
  }
}

async function snapshot() {
  return {
    core: await databaseFingerprint(stack.coreDatabaseUrl!, ['used_nonces']),
    gatewayA: await databaseFingerprint(stack.configs.a.databaseUrl!),
    gatewayB: await databaseFingerprint(stack.configs.b.databaseUrl!),
    files: [listAll(stack.dirs.aData), listAll(stack.dirs.bInbox)],
    secrets: [listAll(path.join(stack.dirs.aState, 'secrets')), listAll(path.join(stack.dirs.bState, 'secrets'))],
  };
}

it('every public endpoint of the core and of a gateway: no 5xx, stable error codes, nothing written', async () => {
  const before = await snapshot();
  const seed = Number(process.env.FERRY_FUZZ_SEED ?? Date.now() % 2 ** 31);
  const started = Date.now();
  // the core in two lanes (each a property with its own seed) and the gateway beside them
  const [core1, core2, gateway, coreSweep, gatewaySweep] = await Promise.all([
    fuzz('core', Math.ceil(CORE_RUNS / 2), seed),
    fuzz('core', Math.floor(CORE_RUNS / 2), seed + 1),
    fuzz('gateway', GATEWAY_RUNS, seed + 2),
    sweep('core'),
    sweep('gateway'),
  ]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const after = await snapshot();

  const findings = [core1, core2, gateway, coreSweep, gatewaySweep].flatMap((o) => o.findings);
  const merge = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((k) => [k, (a[k] ?? 0) + (b[k] ?? 0)]));
  const coreStatus = merge(core1.byStatus, core2.byStatus);
  process.stdout.write(
    `fuzz (seed ${seed}): ${core1.runs + core2.runs} core requests ${JSON.stringify(coreStatus)}, ` +
      `${gateway.runs} gateway requests ${JSON.stringify(gateway.byStatus)}, sweep of path parameters ` +
      `${coreSweep.runs} core ${JSON.stringify(coreSweep.byStatus)} + ${gatewaySweep.runs} gateway ${JSON.stringify(gatewaySweep.byStatus)}; ` +
      `in ${seconds} s; ` +
      `${coreShape().routes.length} core routes, ${gatewayShape().routes.length} gateway routes; findings: ${findings.length}\n`,
  );
  expect(findings).toEqual([]);
  expect(core1.runs + core2.runs).toBe(CORE_RUNS);
  expect(gateway.runs).toBe(GATEWAY_RUNS);
  expect(after).toEqual(before);
  // the fixture is still waiting for its trigger, untouched
  expect((await stack.researcher('alice').api.task(fixtureId)).state).toBe('AWAITING_TRIGGER');
}, 420_000);
