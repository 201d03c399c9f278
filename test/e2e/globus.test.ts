import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashTree, makeSampleTree, runningWith, type Stack, startStack, writeRandomFile } from '../harness';
import { GlobusStandin, type StandinClient } from '../globus-standin/globus-standin';

/**
 * Globus end to end: the core and gateways A and B as processes (the harness's stack), both listing
 * the Globus plugin first, against the Globus stand-in running in this jest process. Each site has
 * its own application (client credentials) and its drive is bound to a stand-in collection whose
 * storage is the drive's folder (so the gateway also has the storage "mounted").
 *
 * Needs the compiled gateway, core and plugin (npx tsc -b apps/provider apps/core plugins/globus).
 */
const MiB = 1024 * 1024;
let g: GlobusStandin;
let stack: Stack;
let appA: StandinClient;
let appB: StandinClient;
let collB = '';
let secretsDir: string;

beforeAll(async () => {
  // like Globus, a task that meets PERMISSION_DENIED keeps retrying for a while (here ~5 s) before it fails
  g = await GlobusStandin.start({ tickMs: 25, bytesPerTick: 512 * 1024, permissionRetryTicks: 200 });
  appA = g.registerClient();
  appB = g.registerClient();
  secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-e2e-globus-secrets-'));
  const secretFile = (name: string, secret: string) => {
    const f = path.join(secretsDir, name);
    fs.writeFileSync(f, secret, { mode: 0o600 });
    return f;
  };
  const globus = (app: StandinClient, file: string) => ({
    package: '@ferry/plugin-globus',
    options: { authUrl: g.authUrl, transferUrl: g.transferUrl, clientId: app.clientId, clientSecretFile: file, pollIntervalMs: 100, maxBackoffMs: 1000 },
  });
  stack = await startStack({
    name: 'globus',
    database: 'pglite',
    customize: ({ gateways }) => {
      const data = gateways.a.drives.find((d) => d.id === 'data')!;
      data.attributes = { collectionId: g.addCollection({ root: data.path, owner: appA.identityId, displayName: 'site A data' }) };
      const inbox = gateways.b.drives.find((d) => d.id === 'inbox')!;
      collB = g.addCollection({ root: inbox.path, owner: appB.identityId, displayName: 'site B guest collection' });
      inbox.attributes = { collectionId: collB };
      gateways.a.plugins = [globus(appA, secretFile('a.secret', appA.secret)), ...gateways.a.plugins];
      gateways.b.plugins = [globus(appB, secretFile('b.secret', appB.secret)), ...gateways.b.plugins];
    },
  });
  await makeSampleTree(path.join(stack.dirs.aData, 'tree'), { bigFileBytes: 3 * MiB, smallFiles: 60 });
  await writeRandomFile(path.join(stack.dirs.aData, 'bulk', 'big.bin'), 8 * MiB);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await g?.stop();
  if (secretsDir) fs.rmSync(secretsDir, { recursive: true, force: true });
}, 60_000);

function inbox(name: string): string {
  const dir = path.join(stack.dirs.bInbox, name);
  fs.mkdirSync(dir);
  return dir;
}

const tasksOf = (transferId: string) => g.tasks().filter((t) => t.label === transferId);

async function eventually(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

it('moves a tree through Globus, checksums verified, one Globus task, and the ACL rule is gone', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('tree-in');
  const { transfer } = await alice.start('a-data:/tree', 'b-inbox:/tree-in', { verify: 'checksum' });
  expect(transfer.mechanism).toBe('globus');
  // the destination gateway granted site A's application rw on the destination folder
  expect(g.rules(collB)).toEqual([expect.objectContaining({ principal: appA.identityId, permissions: 'rw' })]);
  const done = await alice.waitTask(transfer.id, undefined, 120_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  expect(done.operations).not.toContain('pause');
  const src = await hashTree(path.join(stack.dirs.aData, 'tree'));
  const got = await hashTree(path.join(dst, 'tree'));
  expect([...got.files.entries()].sort()).toEqual([...src.files.entries()].sort());
  expect(done.progress.filesDone).toBe(src.files.size);
  expect(done.progress.bytesDone).toBe([...src.files.values()].reduce((n, f) => n + f.size, 0));
  expect(tasksOf(transfer.id)).toEqual([expect.objectContaining({ status: 'SUCCEEDED', verify_checksum: true })]);
  await eventually(() => g.rules(collB).length === 0, 'the ACL rule to be deleted');
}, 150_000);

it('cancel through the API stops the Globus task, removes partial files and the ACL rule', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('cancelled');
  g.setBytesPerTick(64 * 1024);
  try {
    const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/cancelled');
    expect(transfer.mechanism).toBe('globus');
    await alice.waitTask(transfer.id, runningWith(1));
    await alice.api.control(transfer.id, 'cancel');
    const ended = await alice.waitState(transfer.id, ['CANCELLED']);
    expect(ended.state).toBe('CANCELLED');
    expect(tasksOf(transfer.id)[0]).toMatchObject({ status: 'FAILED', fatal_error: { code: 'CANCELED' } });
    await eventually(() => g.rules(collB).length === 0 && fs.readdirSync(dst).length === 0, 'no ACL rule and no partial files');
  } finally {
    g.setBytesPerTick(512 * 1024);
  }
}, 150_000);

it('the source gateway crashes mid-transfer and, restarted, follows the same Globus task to the end', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('restarted');
  g.setBytesPerTick(64 * 1024);
  const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/restarted');
  await alice.waitTask(transfer.id, runningWith(1));
  const [task] = tasksOf(transfer.id);
  await stack.gatewayA.kill();
  await stack.gatewayA.restart();
  g.setBytesPerTick(512 * 1024);
  const done = await alice.waitTask(transfer.id, undefined, 120_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  expect(tasksOf(transfer.id).map((t) => t.task_id)).toEqual([task.task_id]);
  const src = await hashTree(path.join(stack.dirs.aData, 'bulk'));
  const got = await hashTree(path.join(dst, 'bulk'));
  expect([...got.files.entries()].sort()).toEqual([...src.files.entries()].sort());
}, 150_000);

it('a Globus PermissionDenied fault ends the task FAILED with the Globus message', async () => {
  const alice = stack.researcher('alice');
  inbox('denied');
  g.setBytesPerTick(16 * 1024);
  try {
    const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/denied');
    await alice.waitTask(transfer.id, runningWith(1));
    g.faultTask(tasksOf(transfer.id)[0].task_id, 'PermissionDenied', 2);
    const done = await alice.waitTask(transfer.id, undefined, 120_000);
    expect(done.state).toBe('FAILED');
    expect(done.error?.message).toContain('PERMISSION_DENIED: Permission denied on collection');
    await eventually(() => g.rules(collB).length === 0, 'the ACL rule to be deleted');
  } finally {
    g.setBytesPerTick(512 * 1024);
  }
}, 150_000);

it('no client secret or Globus access token appears in the gateways\' or the core\'s logs', () => {
  const logs = [stack.gatewayA.logFile, stack.gatewayB.logFile, stack.core.logFile].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  expect(logs).toContain('globus'); // the plugin did log
  const tokens = [...g.reg.tokens.keys()];
  expect(tokens.length).toBeGreaterThan(1);
  for (const secret of [appA.secret, appB.secret, ...tokens]) expect(logs.includes(secret)).toBe(false);
});
