import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  hashTree,
  listAll,
  makeSampleTree,
  openInboxToSshdAccount,
  runningWith,
  sshdInboxFolder,
  Stack,
  startStack,
  writeRandomFile,
} from '../harness';
import { startSshd, transferKeyLines, type RunningSshd } from '../setup/sshd-server';

/**
 * rsync end to end: the core and gateways A and B as processes (the harness's stack), a real
 * sshd at "site B" that B's gateway manages keys for, real rsync/rrsync. Both gateways list rsync
 * before sftp, so the mechanism chosen is rsync (config order is preference). B maps alice to
 * the sshd fixture's throwaway account, which owns B's inbox.
 *
 * Needs the compiled gateway and plugins (npx tsc -b apps/provider plugins/rsync apps/core).
 */
const MiB = 1024 * 1024;
let sshd: RunningSshd;
let stack: Stack;

beforeAll(async () => {
  sshd = await startSshd();
  const rsync = {
    package: '@ferry/plugin-rsync',
    options: {
      authorizedKeysDir: sshd.authorizedKeysDir,
      sshHost: sshd.host,
      sshPort: sshd.port,
      hostPublicKeyFile: sshd.hostPublicKeyFile,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      // keeps the 96 MiB bulk transfer running for several seconds, so the tests can act in the middle
      bwlimitKiBps: 12 * 1024,
    },
  };
  stack = await startStack({
    name: 'rsync',
    database: 'pglite',
    customize: ({ gateways }) => {
      for (const g of [gateways.a, gateways.b]) g.plugins = [rsync, ...g.plugins];
      gateways.b.identities = gateways.b.identities.map((i) => (i.name === 'alice' ? { ...i, account: sshd.account } : i));
    },
  });
  openInboxToSshdAccount(stack, sshd);

  await makeSampleTree(path.join(stack.dirs.aData, 'tree'), { bigFileBytes: 8 * MiB, smallFiles: 300 });
  for (let i = 1; i <= 3; i++) await writeRandomFile(path.join(stack.dirs.aData, 'bulk', `part-${i}.bin`), 32 * MiB);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await sshd?.stop();
}, 60_000);

const inbox = (name: string) => sshdInboxFolder(stack, sshd, name);
const keyLines = (transferId: string) => transferKeyLines(sshd, transferId);

async function expectSameTree(src: string, dst: string): Promise<void> {
  const want = await hashTree(src);
  const got = await hashTree(dst);
  expect([...got.files.entries()].sort()).toEqual([...want.files.entries()].sort());
  expect([...got.dirs].sort()).toEqual([...want.dirs].sort());
}

it('transfers a tree with rsync, verified by checksum, and revokes the key', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('tree-in');
  const { transfer } = await alice.start('a-data:/tree', 'b-inbox:/tree-in', { verify: 'checksum' });
  expect(transfer.mechanism).toBe('rsync');
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  await expectSameTree(path.join(stack.dirs.aData, 'tree'), path.join(dst, 'tree'));
  expect(fs.readdirSync(dst)).toEqual(['tree']);
  const src = await hashTree(path.join(stack.dirs.aData, 'tree'));
  expect(done.progress.filesDone).toBe(src.files.size);
  expect(done.progress.bytesDone).toBe([...src.files.values()].reduce((n, f) => n + f.size, 0));
  expect(keyLines(transfer.id)).toEqual([]);
}, 320_000);

it('pauses and resumes through the API, and continues after the source gateway crashes', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('bulk-resumed');
  const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/bulk-resumed');
  expect(transfer.mechanism).toBe('rsync');
  await alice.waitTask(transfer.id, runningWith(4 * MiB));
  expect(keyLines(transfer.id)).toHaveLength(1);

  await alice.api.control(transfer.id, 'pause');
  const paused = await alice.waitState(transfer.id, ['PAUSED']);
  expect(paused.operations).toContain('resume');
  await alice.api.control(transfer.id, 'resume');
  await alice.waitTask(transfer.id, (t) => runningWith(paused.progress.bytesDone + 1)(t));

  // the source gateway dies mid-transfer and comes back: recover() runs rsync again
  await stack.gatewayA.kill();
  await stack.gatewayA.restart();
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  await expectSameTree(path.join(stack.dirs.aData, 'bulk'), path.join(dst, 'bulk'));
  expect(keyLines(transfer.id)).toEqual([]);
}, 400_000);

it('cancel mid-transfer: CANCELLED, the key is gone and no partial file stays at B', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('bulk-cancelled');
  const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/bulk-cancelled');
  await alice.waitTask(transfer.id, runningWith(4 * MiB));
  expect(keyLines(transfer.id)).toHaveLength(1);
  await alice.api.control(transfer.id, 'cancel');
  const done = await alice.waitState(transfer.id, ['CANCELLED']);
  expect(done.state).toBe('CANCELLED');
  // the core asks both gateways to cancel; wait for B's revocation rather than for a time
  await alice.waitTask(transfer.id, () => keyLines(transfer.id).length === 0, 60_000);
  const src = await hashTree(path.join(stack.dirs.aData, 'bulk'));
  const left = await hashTree(dst);
  for (const [rel, f] of left.files) expect(src.files.get(rel.replace(/^bulk\//, ''))).toEqual(f); // only complete files
  expect(listAll(dst).filter((p) => /(^|\/)\.[^/]+\.[A-Za-z0-9]{6}$/.test(p))).toEqual([]); // no rsync temporaries
}, 300_000);
