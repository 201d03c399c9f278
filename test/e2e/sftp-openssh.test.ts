import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  hashTree,
  listAll,
  makeSampleTree,
  openInboxToSshdAccount,
  paceSftpSource,
  runningWith,
  sshdInboxFolder,
  Stack,
  startStack,
  writeRandomFile,
} from '../harness';
import { startSshd, transferKeyLines, type RunningSshd } from '../setup/sshd-server';

/**
 * sftp with the 'openssh' destination backend, end to end: the core and gateways A and B as
 * processes (the harness's stack), a real sshd at "site B". A sends with its sftp plugin as usual;
 * B's sftp plugin serves the upload through that sshd instead of its embedded server, with one
 * restricted, expiring key per transfer in the sshd's authorized-keys folder, for the account B
 * maps alice to (the fixture's throwaway account, which owns B's inbox).
 *
 * Needs the compiled gateway and plugins (npx tsc -b apps/provider apps/core plugins/sftp).
 */
const MiB = 1024 * 1024;
let sshd: RunningSshd;
let stack: Stack;

beforeAll(async () => {
  sshd = await startSshd();
  stack = await startStack({
    name: 'sftp-openssh',
    database: 'pglite',
    customize: ({ gateways }) => {
      const sftpAt = (g: typeof gateways.a) => g.plugins.find((p) => p.package === '@ferry/plugin-sftp')!;
      // one small write in flight at A (one round trip per 8 KiB): the bulk transfer then runs for
      // seconds, long enough for the tests to act in the middle however fast the machine is
      paceSftpSource(gateways.a, 8192);
      sftpAt(gateways.b).options = {
        backend: 'openssh',
        openssh: {
          authorizedKeysDir: sshd.authorizedKeysDir,
          host: sshd.host,
          port: sshd.port,
          hostPublicKeyFile: sshd.hostPublicKeyFile,
          hostKeyFingerprint: sshd.hostKeyFingerprint,
        },
      };
      gateways.b.identities = gateways.b.identities.map((i) => (i.name === 'alice' ? { ...i, account: sshd.account } : i));
    },
  });
  openInboxToSshdAccount(stack, sshd);

  await makeSampleTree(path.join(stack.dirs.aData, 'tree'), { bigFileBytes: 8 * MiB, smallFiles: 300 });
  for (let i = 1; i <= 6; i++) await writeRandomFile(path.join(stack.dirs.aData, 'bulk', `part-${i}.bin`), 24 * MiB);
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

it("transfers a tree through B's sshd as the mapped account, verified by checksum, and removes the key", async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('tree-in');
  const p = await alice.prepare('a-data:/tree', 'b-inbox:/tree-in', { verify: 'checksum' });
  expect(p.transfer.mechanism).toBe('sftp');
  // what the researcher forwards to A: B's sshd, the mapped account, the folder's absolute path
  expect(p.sealedParams.destination.forPeer).toMatchObject({
    host: sshd.host,
    port: sshd.port,
    username: sshd.account,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    remotePath: dst,
  });
  expect(keyLines(p.transfer.id)).toEqual([]); // nothing installed before the trigger
  await alice.api.trigger(p.transfer.id, p.request);
  const done = await alice.waitTask(p.transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  await expectSameTree(path.join(stack.dirs.aData, 'tree'), path.join(dst, 'tree'));
  expect(fs.readdirSync(dst)).toEqual(['tree']);
  for (const rel of listAll(dst)) expect(fs.lstatSync(path.join(dst, rel)).uid).toBe(sshd.uid); // written by sshd's sftp-server
  const src = await hashTree(path.join(stack.dirs.aData, 'tree'));
  expect(done.progress.filesDone).toBe(src.files.size);
  expect(done.progress.bytesDone).toBe([...src.files.values()].reduce((n, f) => n + f.size, 0));
  expect(keyLines(p.transfer.id)).toEqual([]);
}, 320_000);

it('pauses and resumes through the API with the same key, and ends with every byte right', async () => {
  const alice = stack.researcher('alice');
  const dst = inbox('bulk-resumed');
  const { transfer } = await alice.start('a-data:/bulk', 'b-inbox:/bulk-resumed', { verify: 'checksum' });
  await alice.waitTask(transfer.id, runningWith(4 * MiB));
  const [line] = keyLines(transfer.id);
  expect(line).toMatch(/^restrict,expiry-time="\d{14}Z",command="'\/usr\/bin\/env' FERRY_TRANSFER_ID=\S+ '\/usr\/lib\/openssh\/sftp-server' -d '[^']+'" ssh-ed25519 /);

  await alice.api.control(transfer.id, 'pause');
  const paused = await alice.waitState(transfer.id, ['PAUSED']);
  expect(keyLines(transfer.id)).toEqual([line]); // a pause keeps the key, unchanged
  await alice.api.control(transfer.id, 'resume');
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  expect(done.progress.bytesDone).toBeGreaterThanOrEqual(paused.progress.bytesDone);
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
  await alice.waitTask(transfer.id, () => !listAll(dst).some((p) => p.endsWith('.ferry-part')), 60_000);
  const src = await hashTree(path.join(stack.dirs.aData, 'bulk'));
  const left = await hashTree(dst);
  for (const [rel, f] of left.files) expect(src.files.get(rel.replace(/^bulk\//, ''))).toEqual(f); // only complete files
}, 300_000);
