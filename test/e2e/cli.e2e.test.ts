import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashTree, makeSampleTree, REPO_ROOT, Stack, startStack } from '../harness';

/** The `ferry` command itself (compiled dist/) against a running stack. */
const FERRY = path.join(REPO_ROOT, 'apps/cli/bin/ferry.js');
let stack: Stack;
let home: string;

beforeAll(async () => {
  stack = await startStack({ name: 'cli', database: 'pglite' });
  await makeSampleTree(path.join(stack.dirs.aData, 'samples'), { smallFiles: 30 });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-cli-home-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

function ferry(args: string[], user = 'alice', extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FERRY, ...args], {
      env: { ...process.env, FERRY_CONFIG_DIR: path.join(home, user), FERRY_URL: stack.coreUrl, FERRY_TOKEN: stack.tokens[user], FERRY_POLL_MS: '200', ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

it('keygen writes a 0600 key, prints the public key and refuses to overwrite without --force', async () => {
  const first = await ferry(['keygen', '--json']);
  expect(first.code).toBe(0);
  const { file, publicKey } = JSON.parse(first.stdout);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).publicKey).toBe(publicKey);
  const again = await ferry(['keygen']);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/error KEY_EXISTS/);
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).publicKey).toBe(publicKey);
});

it('login checks the token and stores it 0600', async () => {
  const bad = await ferry(['login', '--url', stack.coreUrl, '--token', 'nope'], 'login-user', { FERRY_URL: '', FERRY_TOKEN: '' });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/error UNAUTHENTICATED/);
  const ok = await ferry(['login', '--url', stack.coreUrl, '--token', stack.tokens.alice], 'login-user', { FERRY_URL: '', FERRY_TOKEN: '' });
  expect(ok.code).toBe(0);
  const file = path.join(home, 'login-user', 'config.json');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const drives = await ferry(['drives', '--json'], 'login-user', { FERRY_URL: '', FERRY_TOKEN: '' });
  expect(drives.code).toBe(0);
  expect(JSON.parse(drives.stdout).map((d: { id: string }) => d.id).sort()).toEqual(['a-data', 'b-inbox']);
});

it('transfer --wait --json moves the tree and exits 0; tasks, show and ls see it', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'cli'));
  const r = await ferry(['transfer', 'a-data:/samples', 'b-inbox:/cli', '--wait', '--json', '--verify', 'checksum', '--label', 'cli test']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const t = JSON.parse(r.stdout);
  expect(t.state).toBe('SUCCEEDED');
  const src = await hashTree(path.join(stack.dirs.aData, 'samples'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'cli', 'samples'));
  expect([...dst.files.entries()].sort()).toEqual([...src.files.entries()].sort());

  const list = await ferry(['tasks', '--json']);
  expect(JSON.parse(list.stdout).map((x: { id: string }) => x.id)).toContain(t.id);
  const table = await ferry(['tasks']);
  expect(table.stdout).toMatch(new RegExp(`${t.id}\\s+SUCCEEDED`));
  const show = await ferry(['tasks', 'show', t.id]);
  expect(show.stdout).toMatch(/state\s+SUCCEEDED/);
  expect(show.stdout).toMatch(/label\s+cli test/);
  const ls = await ferry(['ls', 'b-inbox:/cli/samples', '--json']);
  expect(ls.code).toBe(0);
  expect(JSON.parse(ls.stdout).entries.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['README.txt', 'unicode', 'nested']));
}, 120_000);

it('transfer without --wait prints the id; tasks watch follows every active task until it ends', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'cli-watch'));
  const started = await ferry(['transfer', 'a-data:/samples', 'b-inbox:/cli-watch']);
  expect(started.code).toBe(0);
  const id = started.stdout.trim();
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const watched = await ferry(['tasks', 'watch', '--json']);
  expect(watched.code).toBe(0);
  const views = JSON.parse(watched.stdout) as Array<{ id: string; state: string }>;
  // the transfer may have ended before watch started; then there was nothing active to follow
  for (const v of views) expect(v.state).toBe('SUCCEEDED');
  const one = await ferry(['tasks', 'watch', id, '--json']);
  expect(one.code).toBe(0);
  expect(JSON.parse(one.stdout)).toMatchObject({ id, state: 'SUCCEEDED' });
  const cancel = await ferry(['tasks', 'cancel', id]);
  expect(cancel.code).toBe(1);
  expect(cancel.stderr).toMatch(/^error INVALID_STATE: /m);
}, 120_000);

it('transfer shows the progress bar on stderr without --json', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'cli-bar'));
  const r = await ferry(['transfer', 'a-data:/samples', 'b-inbox:/cli-bar', '--wait']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/\[[#-]{24}\]/);
  expect(r.stdout).toMatch(/SUCCEEDED: \d+ files/);
}, 120_000);

it('a rejected transfer exits 3 with the code and the reason', async () => {
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'back'), { recursive: true });
  fs.writeFileSync(path.join(stack.dirs.bInbox, 'back', 'x.txt'), 'x');
  const r = await ferry(['transfer', 'b-inbox:/back', 'a-data:/', '--wait']);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/error REJECTED_BY_POLICY: /);
});

it('errors print the stable code and a hint', async () => {
  await ferry(['keygen'], 'carol');
  const r = await ferry(['transfer', 'a-data:/samples', 'b-inbox:/', '--wait'], 'carol');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^error NO_IDENTITY_MAPPING: /m);
  expect(r.stderr).toMatch(/^hint: .*operator.*account mapping/m);

  const bad = await ferry(['transfer', 'a-data:../../etc', 'b-inbox:/'], 'alice');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/error BAD_PATH/);

  const usage = await ferry(['transfer', 'a-data:/samples']);
  expect(usage.code).toBe(2);
  const json = await ferry(['tasks', 'show', '00000000-0000-0000-0000-000000000000', '--json']);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout).error.code).toBe('NOT_FOUND');
});
