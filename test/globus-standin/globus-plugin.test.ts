/**
 * The Globus plugin against the Globus stand-in: two "sites", each with its own application
 * (client credentials) and collection (a local folder), driven the way gateways drive plugins.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DriveBinding } from '@ferry/plugin-sdk';
import { isMechanismError } from '@ferry/plugin-sdk';
import plugin from '@ferry/plugin-globus';
import { GlobusStandin, type StandinClient } from './globus-standin';
import {
  createGateway,
  finishTransfer,
  readTree,
  startTransfer,
  TestHandle,
  waitFor,
  writeSecretFile,
  type GatewayUnderTest,
} from './plugin-harness';

let g: GlobusStandin;
let tmp: string;
let appA: StandinClient;
let appB: StandinClient;
let collA: string;
let collB: string;
let driveA: DriveBinding;
let driveB: DriveBinding;
let a: GatewayUnderTest;
let b: GatewayUnderTest;
const started: GatewayUnderTest[] = [];

function options(app: StandinClient, secretFile: string, extra: Record<string, unknown> = {}) {
  return { authUrl: g.authUrl, transferUrl: g.transferUrl, clientId: app.clientId, clientSecretFile: secretFile, pollIntervalMs: 40, maxBackoffMs: 400, maxAttempts: 10, ...extra };
}

async function gateway(name: string, app: StandinClient, extra: Record<string, unknown> = {}, store?: GatewayUnderTest['store']): Promise<GatewayUnderTest> {
  const secretFile = writeSecretFile(tmp, `${name}.secret`, app.secret);
  const gw = createGateway(name, options(app, secretFile, extra), tmp, store);
  await gw.plugin.start();
  started.push(gw);
  return gw;
}

function makeTree(root: string): void {
  fs.mkdirSync(path.join(root, 'results', 'deep', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(root, 'results', 'empty'), { recursive: true });
  fs.writeFileSync(path.join(root, 'results', 'big.bin'), randomBytes(700_000));
  fs.writeFileSync(path.join(root, 'results', 'notes.txt'), 'lab notes\n');
  fs.writeFileSync(path.join(root, 'results', 'zero.dat'), '');
  fs.writeFileSync(path.join(root, 'results', 'deep', 'a.csv'), 'x,y\n1,2\n');
  fs.writeFileSync(path.join(root, 'results', 'deep', 'deeper', 'b.bin'), randomBytes(123_457));
  fs.writeFileSync(path.join(root, 'single.dat'), randomBytes(4096));
  fs.mkdirSync(path.join(root, 'slow'), { recursive: true });
  fs.writeFileSync(path.join(root, 'slow', 'slow.bin'), randomBytes(300_000));
}

beforeAll(async () => {
  g = await GlobusStandin.start({ tickMs: 20, bytesPerTick: 128 * 1024, permissionRetryTicks: 4 });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'globus-plugin-'));
  fs.mkdirSync(path.join(tmp, 'a'));
  fs.mkdirSync(path.join(tmp, 'b', 'projects', 'inbox'), { recursive: true });
  makeTree(path.join(tmp, 'a'));
  appA = g.registerClient();
  appB = g.registerClient();
  collA = g.addCollection({ root: path.join(tmp, 'a'), owner: appA.identityId, displayName: 'site A data' });
  collB = g.addCollection({ root: path.join(tmp, 'b'), owner: appB.identityId, displayName: 'site B guest collection' });
  driveA = { id: 'data', root: path.join(tmp, 'a'), attributes: { collectionId: collA } };
  driveB = { id: 'inbox', root: path.join(tmp, 'b', 'projects'), attributes: { collectionId: collB, basePath: '/projects' } };
  a = await gateway('a', appA);
  b = await gateway('b', appB);
});

afterAll(async () => {
  for (const gw of started) await gw.plugin.stop();
  await g.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const dst = (p: string) => ({ drive: driveB, path: p });
const src = (p: string) => ({ drive: driveA, path: p });
const tasksLabelled = (id: string) => g.tasks().filter((t) => t.label === id);

describe('globus plugin: moving data', () => {
  it('moves a tree INTO the destination folder byte for byte, then removes the ACL rule', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'inbox', 'tree'), { recursive: true });
    const id = randomUUID();
    const h = await startTransfer(a, b, src('results'), dst('inbox/tree'), id, { verify: 'checksum' });
    const rule = g.rules(collB).find((r) => r.id === h.d.state.accessId);
    expect(rule).toMatchObject({ principal_type: 'identity', principal: appA.identityId, path: '/projects/inbox/tree/', permissions: 'rw' });

    const { ending, dres } = await finishTransfer(a, b, h);
    expect(ending.kind).toBe('completed');
    expect(readTree(path.join(tmp, 'b', 'projects', 'inbox', 'tree', 'results'))).toEqual(readTree(path.join(tmp, 'a', 'results')));
    expect(fs.statSync(path.join(tmp, 'b', 'projects', 'inbox', 'tree', 'results', 'empty')).isDirectory()).toBe(true);
    if (ending.kind !== 'completed') throw new Error('unreachable');
    expect(ending.manifest.verify).toBe('checksum');
    expect(ending.manifest.files.map((f) => f.path).sort()).toEqual(
      ['results/big.bin', 'results/deep/a.csv', 'results/deep/deeper/b.bin', 'results/notes.txt', 'results/zero.dat'].sort(),
    );
    expect(dres.ok).toBe(true);
    expect(g.rules(collB)).toHaveLength(0);

    const task = tasksLabelled(id);
    expect(task).toHaveLength(1);
    expect(task[0]).toMatchObject({ verify_checksum: true, encrypt_data: true, status: 'SUCCEEDED', source_endpoint_id: collA, destination_endpoint_id: collB });
    const last = h.s.reports[h.s.reports.length - 1];
    expect(last).toMatchObject({ bytesDone: 700_000 + 10 + 8 + 123_457, bytesTotal: 700_000 + 10 + 8 + 123_457, filesTotal: 5 });
  });

  it('copies a single file into the destination folder; the source drive root copies its contents', async () => {
    const r1 = await finishTransfer(a, b, await startTransfer(a, b, src('single.dat'), dst('inbox'), randomUUID()));
    expect(r1.ending.kind).toBe('completed');
    expect(fs.readFileSync(path.join(tmp, 'b', 'projects', 'inbox', 'single.dat')).equals(fs.readFileSync(path.join(tmp, 'a', 'single.dat')))).toBe(true);

    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'whole'));
    const r2 = await finishTransfer(a, b, await startTransfer(a, b, src(''), dst('whole'), randomUUID()));
    expect(r2.ending.kind).toBe('completed');
    expect(readTree(path.join(tmp, 'b', 'projects', 'whole'))).toEqual(readTree(path.join(tmp, 'a')));
    expect(g.rules(collB)).toHaveLength(0);
  });

  it('sends sync_level from the options: a file already at the destination is skipped by Globus', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'synced'));
    fs.copyFileSync(path.join(tmp, 'a', 'single.dat'), path.join(tmp, 'b', 'projects', 'synced', 'single.dat'));
    const c = await gateway('sync', appA, { syncLevel: 'size' });
    const id = randomUUID();
    const { ending } = await finishTransfer(c, b, await startTransfer(c, b, src('single.dat'), dst('synced'), id));
    expect(ending.kind).toBe('completed');
    expect(tasksLabelled(id)[0]).toMatchObject({ sync_level: 1, files_skipped: 1, files_transferred: 0, bytes_transferred: 0 });
  });

  it('a retried trigger — even after a crash that lost the task id — yields ONE Globus task', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'retry'));
    const id = randomUUID();
    const h = await startTransfer(a, b, src('slow'), dst('retry'), id);
    const firstTask = h.s.state.taskId;
    expect(firstTask).toEqual(expect.any(String));
    await a.plugin.trigger(h.s, { mechanism: 'globus', collectionId: collB, path: '/projects/retry' });
    expect(h.s.state.taskId).toBe(firstTask);

    // crash between submitting and saving the task id: the persisted submission id gets Duplicate
    await a.plugin.stop();
    const store = a.store;
    store.saveState(h.s.key, { ...h.s.state, taskId: undefined });
    const a2 = await gateway('a', appA, {}, store);
    const s2 = new TestHandle(store, id, 'source', driveA, 'slow');
    await a2.plugin.trigger(s2, { mechanism: 'globus', collectionId: collB, path: '/projects/retry' });
    expect(s2.state.taskId).toBe(firstTask);
    expect(tasksLabelled(id)).toHaveLength(1);
    const { ending } = await finishTransfer(a2, b, { s: s2, d: h.d });
    expect(ending.kind).toBe('completed');
    expect(tasksLabelled(id)).toHaveLength(1);
    a = a2;
  });
});

describe('globus plugin: resilience', () => {
  it('survives every token expiring mid-transfer (renews once after the 401)', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'tokens'));
    g.setBytesPerTick(16 * 1024);
    const fetchedBefore = a.plugin.tokens.fetched;
    const unauthorizedBefore = g.statuses.get(401) ?? 0;
    const h = await startTransfer(a, b, src('slow'), dst('tokens'), randomUUID());
    await waitFor(() => h.s.reports.some((r) => (r.bytesDone ?? 0) > 0), 'first progress');
    expect(g.expireAllTokens()).toBeGreaterThan(0);
    const { ending } = await finishTransfer(a, b, h);
    g.setBytesPerTick(128 * 1024);
    expect(ending.kind).toBe('completed');
    expect((g.statuses.get(401) ?? 0) - unauthorizedBefore).toBeGreaterThan(0);
    expect(a.plugin.tokens.fetched).toBeGreaterThan(fetchedBefore);
    expect(fs.readFileSync(path.join(tmp, 'b', 'projects', 'tokens', 'slow', 'slow.bin')).equals(fs.readFileSync(path.join(tmp, 'a', 'slow', 'slow.bin')))).toBe(true);
  });

  it('renews a token before it expires, without waiting for a 401', async () => {
    g.setTokenLifetime(600);
    const c = await gateway('short', appA, { tokenRenewMarginSeconds: 60 });
    const first = await c.plugin.tokens.get();
    expect(await c.plugin.tokens.get()).toBe(first); // cached
    c.clock.offsetMs = 541_000; // inside the renewal margin (600 s lifetime - 60 s)
    const second = await c.plugin.tokens.get();
    expect(second).not.toBe(first);
    expect(c.plugin.tokens.fetched).toBe(2);
    g.setTokenLifetime(172800);
  });

  it('rides out a 429/503 storm honouring Retry-After, with no extra Globus task', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'storm'));
    const id = randomUUID();
    g.failNext({ count: 2, status: 429, retryAfterSeconds: 1 });
    g.failNext({ count: 4, status: 429, retryAfterSeconds: 0 });
    g.failNext({ count: 2, status: 503, retryAfterSeconds: 0 });
    const injected429 = g.injected.get(429) ?? 0;
    const h = await startTransfer(a, b, src('slow'), dst('storm'), id);
    g.failNext({ count: 5, status: 429, retryAfterSeconds: 0, match: /task_list/ });
    const { ending } = await finishTransfer(a, b, h);
    expect(ending.kind).toBe('completed');
    expect((g.injected.get(429) ?? 0) - injected429).toBe(11);
    expect(tasksLabelled(id)).toHaveLength(1);
    expect(a.logs.some((l) => l.message.includes('poll round deferred'))).toBe(true);
  });

  it('a restarted gateway (new plugin instance, same persisted state) resumes polling the same task', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'restart'));
    g.setBytesPerTick(8 * 1024);
    const id = randomUUID();
    const h = await startTransfer(a, b, src('slow'), dst('restart'), id);
    const taskId = h.s.state.taskId as string;
    await waitFor(() => h.s.reports.some((r) => (r.bytesDone ?? 0) > 0), 'first progress');
    await a.plugin.stop();
    const a2 = await gateway('a', appA, {}, a.store);
    const s2 = new TestHandle(a2.store, id, 'source', driveA, 'slow');
    await a2.plugin.recover(s2);
    expect(a2.plugin.poller.size).toBe(1);
    g.setBytesPerTick(128 * 1024);
    const { ending } = await finishTransfer(a2, b, { s: s2, d: h.d });
    expect(ending.kind).toBe('completed');
    expect(s2.state.taskId).toBe(taskId);
    expect(tasksLabelled(id).map((t) => t.task_id)).toEqual([taskId]);
    expect(h.s.ending).toBeNull(); // the stopped instance reported nothing more
    a = a2;
  });

  it('one poller follows many transfers with batched task_list calls, never one request per task', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'many'));
    const before = g.count('GET /v0.10/task/:id');
    const hs: Array<{ s: TestHandle; d: TestHandle }> = [];
    g.setBytesPerTick(0); // hold them all so Globus' limit of 3 running tasks per identity shows
    for (let i = 0; i < 12; i++) {
      fs.mkdirSync(path.join(tmp, 'b', 'projects', 'many', `m${i}`));
      hs.push(await startTransfer(a, b, src('single.dat'), dst(`many/m${i}`), randomUUID()));
    }
    expect(a.plugin.poller.size).toBe(12);
    const last = (h: { s: TestHandle }) => h.s.messages().slice(-1)[0] ?? '';
    await waitFor(
      () => hs.filter((h) => last(h).startsWith('Queued at Globus')).length === 9 && hs.filter((h) => last(h).endsWith('transferring')).length === 3,
      '3 running and 9 queued tasks',
    );
    g.setBytesPerTick(128 * 1024);
    const results = await Promise.all(hs.map((h) => finishTransfer(a, b, h)));
    expect(results.every((r) => r.ending.kind === 'completed')).toBe(true);
    expect(g.count('GET /v0.10/task/:id') - before).toBe(0);
    expect(a.plugin.poller.size).toBe(0);
    // the gateway's metrics hook sees the rounds (their rate is the poll rate) and the tasks followed
    expect(a.metrics.counters.get('globus_poll_rounds_total')).toBeGreaterThanOrEqual(a.plugin.poller.rounds);
    expect(a.plugin.poller.rounds).toBeGreaterThan(0);
    expect(a.metrics.gauges.get('globus_tasks_watched')).toBe(0);
  });
});

describe('globus plugin: failures and cancel', () => {
  it('a PermissionDenied fault ends FAILED with the Globus message, shown while Globus retries', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'denied'));
    g.setBytesPerTick(4 * 1024);
    const h = await startTransfer(a, b, src('slow'), dst('denied'), randomUUID());
    g.faultTask(h.s.state.taskId as string, 'PermissionDenied', 1_000_000);
    await waitFor(() => h.s.messages().some((m) => m.includes('Globus reports PERMISSION_DENIED')), 'the fault in the task message');
    g.faultTask(h.s.state.taskId as string, 'PermissionDenied', 0); // Globus gives up
    const { ending } = await finishTransfer(a, b, h);
    g.setBytesPerTick(128 * 1024);
    expect(ending).toEqual({ kind: 'failed', code: 'PERMISSION_DENIED', message: expect.stringContaining('PERMISSION_DENIED: Permission denied on collection') });
    expect(h.s.messages().some((m) => m.includes('Globus reports PERMISSION_DENIED'))).toBe(true);
    expect(g.rules(collB)).toHaveLength(0);
  });

  it('a ConsentRequired fault on the task ends FAILED with the Globus message', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'consent-task'));
    g.setBytesPerTick(4 * 1024);
    const h = await startTransfer(a, b, src('slow'), dst('consent-task'), randomUUID());
    g.faultTask(h.s.state.taskId as string, 'ConsentRequired', 1);
    const { ending } = await finishTransfer(a, b, h);
    g.setBytesPerTick(128 * 1024);
    expect(ending).toEqual({ kind: 'failed', code: 'PERMISSION_DENIED', message: expect.stringContaining('CONSENT_REQUIRED: Missing required data_access consent') });
  });

  it('ConsentRequired at submission fails the trigger with the Globus message and required scopes', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'consent'));
    g.requireConsent(collB);
    try {
      const id = randomUUID();
      const err = await startTransfer(a, b, src('single.dat'), dst('consent'), id).catch((e: unknown) => e);
      expect(isMechanismError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'PERMISSION_DENIED', retry: 'fatal', message: expect.stringContaining('ConsentRequired') });
      expect((err as Error).message).toContain(`scopes/${collB}/data_access`);
      expect(tasksLabelled(id)).toHaveLength(0);
    } finally {
      g.requireConsent(collB, false);
    }
  });

  it('a transfer into a path whose ACL rule is gone fails with PERMISSION_DENIED', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'norule'));
    g.setBytesPerTick(2 * 1024);
    const h = await startTransfer(a, b, src('slow'), dst('norule'), randomUUID());
    await waitFor(() => h.s.reports.some((r) => (r.bytesDone ?? 0) > 0), 'first progress');
    g.reg.rules.delete(h.d.state.accessId as string); // someone removed the grant at site B
    const ending = await h.s.done;
    g.setBytesPerTick(128 * 1024);
    expect(ending).toEqual({ kind: 'failed', code: 'PERMISSION_DENIED', message: expect.stringContaining('Permission denied writing') });
    await b.plugin.finalize(h.d, 'failed');
    h.d.closed = true;
  });

  it('the destination app without the access manager role cannot grant: prepare fails with the Globus message', async () => {
    const stranger = g.registerClient();
    const c = await gateway('stranger', stranger);
    const d = new TestHandle(c.store, randomUUID(), 'destination', driveB, 'inbox');
    const sp = await a.plugin.prepareSource(new TestHandle(a.store, d.id, 'source', driveA, 'single.dat'));
    const err = await c.plugin.prepareDestination(d, sp.publicParams).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('Globus PermissionDenied') });
  });

  it('cancel stops the Globus task and leaves no ACL rule behind', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'cancel'));
    g.setBytesPerTick(1024);
    const id = randomUUID();
    const h = await startTransfer(a, b, src('slow'), dst('cancel'), id);
    await waitFor(() => h.s.reports.some((r) => (r.bytesDone ?? 0) > 0), 'first progress');
    h.s.abort();
    await a.plugin.cancel(h.s);
    await b.plugin.cancel(h.d);
    g.setBytesPerTick(128 * 1024);
    expect(tasksLabelled(id)[0]).toMatchObject({ status: 'FAILED', fatal_error: { code: 'CANCELED' } });
    expect(g.rules(collB)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 200)); // a few poll rounds: cancel is not reported as a failure
    expect(h.s.ending).toBeNull();
    expect(a.plugin.poller.isWatching(id)).toBe(false);
    await a.plugin.finalize(h.s, 'cancelled');
    await b.plugin.finalize(h.d, 'cancelled');
  });

  it('an untriggered destination that expires deletes its ACL rule; prepare is idempotent', async () => {
    const id = randomUUID();
    const s = new TestHandle(a.store, id, 'source', driveA, 'single.dat');
    const d = new TestHandle(b.store, id, 'destination', driveB, 'inbox');
    const sp = await a.plugin.prepareSource(s);
    const dp = await b.plugin.prepareDestination(d, sp.publicParams);
    await d.saveState(dp.state ?? {});
    const again = await b.plugin.prepareDestination(d, sp.publicParams);
    expect(again.state).toEqual(dp.state);
    expect(g.rules(collB)).toHaveLength(1);
    await b.plugin.finalize(d, 'expired');
    expect(g.rules(collB)).toHaveLength(0);
  });

  it('INACTIVE tasks are shown in the task message and go on when Globus resumes them', async () => {
    fs.mkdirSync(path.join(tmp, 'b', 'projects', 'inactive'));
    g.setBytesPerTick(4 * 1024);
    const h = await startTransfer(a, b, src('slow'), dst('inactive'), randomUUID());
    g.setInactive(h.s.state.taskId as string, true);
    await waitFor(() => h.s.messages().some((m) => m.includes('INACTIVE')), 'INACTIVE message');
    g.setInactive(h.s.state.taskId as string, false);
    g.setBytesPerTick(128 * 1024);
    const { ending } = await finishTransfer(a, b, h);
    expect(ending.kind).toBe('completed');
  });
});

describe('globus plugin: browse, options, secrets', () => {
  it('browses the drive collection, paging through ls', async () => {
    fs.mkdirSync(path.join(tmp, 'a', 'listing'));
    for (let i = 0; i < 7; i++) fs.writeFileSync(path.join(tmp, 'a', 'listing', `f${i}.txt`), 'x'.repeat(i));
    fs.mkdirSync(path.join(tmp, 'a', 'listing', 'sub'));
    const c = await gateway('pager', appA, { lsPageSize: 3 });
    const before = g.count('GET /v0.10/operation/endpoint/:id/ls');
    const entries = await c.plugin.browse(driveA, { name: 'alice', account: 'alice', attributes: {} }, 'listing');
    expect(entries).toHaveLength(8);
    expect(entries.find((e) => e.name === 'f6.txt')).toEqual({ name: 'f6.txt', type: 'file', size: 6, modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(entries.find((e) => e.name === 'sub')?.type).toBe('dir');
    expect(g.count('GET /v0.10/operation/endpoint/:id/ls') - before).toBe(3);
    await expect(c.plugin.browse(driveA, { name: 'alice', account: 'alice', attributes: {} }, 'missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('declares pause unsupported and validates its options', () => {
    expect(a.plugin.abilities).toEqual({ pause: false, resume: false, cancel: true, checksum: true, browse: true });
    expect(() => plugin.optionsSchema.parse({ clientId: 'x', clientSecret: 'inline!' })).toThrow(/must not be inline/);
    expect(() => plugin.optionsSchema.parse({ clientId: 'x' })).toThrow(/clientSecretFile/);
    expect(plugin.optionsSchema.parse({ clientId: 'x', clientSecretFile: '/s' })).toMatchObject({
      authUrl: 'https://auth.globus.org',
      transferUrl: 'https://transfer.api.globus.org',
      pollIntervalMs: 2000,
    });
  });

  it('refuses a client secret file that others can read, and wrong credentials, at start', async () => {
    const loose = writeSecretFile(tmp, 'loose.secret', appA.secret, 0o644);
    const gw = createGateway('loose', options(appA, loose), tmp);
    await expect(gw.plugin.start()).rejects.toThrow(/must be 0600/);
    const wrong = writeSecretFile(tmp, 'wrong.secret', 'not-the-secret');
    const gw2 = createGateway('wrong', options(appA, wrong), tmp);
    await gw2.plugin.start();
    started.push(gw2);
    await expect(gw2.plugin.browse(driveA, { name: 'alice', account: 'alice', attributes: {} }, '')).rejects.toMatchObject({ code: 'AUTH_FAILED', retry: 'fatal' });
    expect(JSON.stringify(gw2.logs)).not.toContain('not-the-secret');
  });

  it('never logs the client secret or an access token', () => {
    const tokens = [...g.reg.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(2);
    for (const gw of started) {
      const text = JSON.stringify(gw.logs);
      expect(text).not.toContain(appA.secret);
      expect(text).not.toContain(appB.secret);
      for (const t of tokens) expect(text).not.toContain(t);
    }
    expect(started.some((gw) => gw.logs.length > 0)).toBe(true);
  });
});
