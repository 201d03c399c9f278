import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'ssh2';
import { diffTrees, PluginPair, prefixTree, readTree, writeRandomFile, writeTree, type TestTransfer } from '@ferry/plugin-sdk/testing';
import plugin, { secretNames, type OpensshBackend, type SftpOptions, type SftpPlugin } from '@ferry/plugin-sftp';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';
import { keyLines, opensshOptions, opensshPairSetup } from './openssh-fixture.util';
import { probeGrant } from './probe-grant.util';
import { openSftp, rawConnect } from './raw-client.util';

// The 'openssh' backend against a real sshd: what arrives, what the key line says, and that the
// key is gone after every way a transfer can end (and that sshd itself refuses an expired one).
const GUARD_MS = 60_000; // a hung step fails the test instead of hanging jest; not a timing assertion
let sshd: RunningSshd;
let pair: PluginPair<SftpOptions>;

beforeAll(async () => {
  sshd = await startSshd();
  // no sweep during the tests unless a test asks for one (it would race the expiry test)
  pair = await PluginPair.start(plugin, opensshOptions(sshd, { sweepIntervalMs: 3_600_000 }), opensshPairSetup(sshd));
  await writeTree(path.join(pair.source.driveRoot, 'small'), { 'a.txt': 'a\n', sub: { 'b.txt': 'b\n' } });
}, 60_000);
afterAll(async () => {
  await pair?.stop();
  await sshd?.stop();
}, 60_000);

const backend = () => (pair.destination.plugin as SftpPlugin).backend as OpensshBackend;
const sourceKey = async (t: TestTransfer) => (await pair.source.parts.secrets.get(secretNames.sshKey(t.id)))!;
const probe = async (t: TestTransfer, key: string) => probeGrant(t.destinationPrep!.forPeer, t.id, { [secretNames.sshKey(t.id)]: key });

async function triggered(sourcePath = 'small'): Promise<{ t: TestTransfer; key: string }> {
  const t = await pair.transfer({ sourcePath });
  await t.prepare();
  await t.triggerDestination();
  return { t, key: await sourceKey(t) };
}

/** resolves when the connection closes; fails the test (not hangs it) if it never does */
function closed(c: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error('the session was not ended')), GUARD_MS);
    c.once('close', () => {
      clearTimeout(guard);
      resolve();
    });
  });
}

it('delivers nested folders, empty files and folders and unicode names byte for byte, as the mapped account', async () => {
  const src = path.join(pair.source.driveRoot, 'dataset');
  await writeTree(src, {
    deep: { a: { b: { c: { 'leaf.txt': 'leaf\n' } } } },
    'empty-file': '',
    'empty-folder': {},
    'nested-empty': { 'inner-empty': {} },
    'Ünïcødé — 数据 🚀.txt': 'unicode\n',
    'spaces and (parens)': { "quote's \"double\".txt": 'q\n' },
  });
  await writeRandomFile(path.join(src, 'big', 'five.bin'), 5 * 1024 * 1024);
  const t = await pair.transfer({ sourcePath: 'dataset', options: { verify: 'checksum' } });
  await t.prepare();

  // OpenSSH sessions start in the account's home and see the whole file system: the source is
  // told the account and the folder's absolute path
  const forPeer = t.destinationPrep!.forPeer;
  expect(forPeer).toMatchObject({
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.account,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    remotePath: t.destination.localPath,
  });
  expect(t.destinationPrep!.publicParams).toEqual({ backend: 'openssh', hostKeyFingerprint: sshd.hostKeyFingerprint });

  await t.triggerDestination();
  const [line] = keyLines(sshd, t.id);
  const activatedAt = Date.parse((t.destination.state.grant as { activatedAt: string }).activatedAt);
  const expiry = new Date(Math.floor((activatedAt + 60 * 60_000) / 1000) * 1000);
  const stamp = expiry.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const publicKey = (t.sourcePrep!.publicParams.sshPublicKey as string).split(' ').slice(0, 2).join(' ');
  expect(line).toBe(
    `restrict,expiry-time="${stamp}",command="'/usr/bin/env' FERRY_TRANSFER_ID=${t.id} '/usr/lib/openssh/sftp-server' -d '${t.destination.localPath}'" ` +
      `${publicKey} ferry:${t.id}:${expiry.toISOString()}`,
  );

  await t.triggerSource();
  await t.waitForEnd(GUARD_MS * 2);
  expect(t.source.record.failures).toEqual([]);
  const expected = await readTree(src);
  expect(diffTrees(prefixTree(expected, 'dataset', { type: 'dir', size: 0 }), await readTree(t.destination.localPath))).toEqual([]);
  for (const f of t.manifest!.files) expect(f.sha256).toBe(expected.get(f.path.slice('dataset/'.length))?.sha256);
  // written by sftp-server running as the account, not by the gateway
  expect(fs.statSync(path.join(t.destination.localPath, 'dataset', 'big', 'five.bin')).uid).toBe(sshd.uid);

  // another upload of the same account into the same folder, still running: a succeeded finalize leaves its part file alone
  const othersPart = path.join(t.destination.localPath, 'other.bin.ferry-part');
  fs.writeFileSync(othersPart, 'half');
  fs.chownSync(othersPart, sshd.uid, sshd.gid);

  const key = await sourceKey(t);
  expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  expect(fs.existsSync(othersPart)).toBe(true);
  expect(keyLines(sshd, t.id)).toEqual([]);
  expect(await probe(t, key)).toBe(false);
}, 240_000);

it('removes the key and ends the open session on cancel', async () => {
  const { t, key } = await triggered();
  expect(keyLines(sshd, t.id)).toHaveLength(1);
  // OpenSSH accepts the key alone (no grant token is asked for)
  const session = await rawConnect({ host: sshd.host, port: sshd.port, username: sshd.account, privateKey: key });
  await openSftp(session);
  const ended = closed(session);
  await t.cancel();
  await ended;
  expect(keyLines(sshd, t.id)).toEqual([]);
  expect(await probe(t, key)).toBe(false);
  await t.finalize('cancelled');
}, 120_000);

it('removes the key when the source fails (here: the account may not write where the source aims)', async () => {
  const { t, key } = await triggered();
  const rootOwned = fs.mkdtempSync(path.join(sshd.root, 'root-owned-'));
  fs.chmodSync(rootOwned, 0o755);
  await t.triggerSource({ ...t.destinationPrep!.forPeer, remotePath: rootOwned });
  await t.waitForEnd(GUARD_MS);
  expect(t.source.record.failures.map((f) => f.code)).toEqual(['PERMISSION_DENIED']);
  expect(fs.readdirSync(rootOwned)).toEqual([]);
  await t.finalize('failed');
  expect(keyLines(sshd, t.id)).toEqual([]);
  expect(await probe(t, key)).toBe(false);
}, 120_000);

it('removes the key of a transfer that expires after its destination trigger, and installs none for an untriggered one', async () => {
  const { t, key } = await triggered();
  expect(await probe(t, key)).toBe(true);
  await t.finalize('expired');
  expect(keyLines(sshd, t.id)).toEqual([]);
  expect(await probe(t, key)).toBe(false);

  const untriggered = await pair.transfer({ sourcePath: 'small' });
  await untriggered.prepare();
  expect(keyLines(sshd, untriggered.id)).toEqual([]);
  await untriggered.finalize('expired');
  expect(keyLines(sshd, untriggered.id)).toEqual([]);
}, 120_000);

it('the sweep removes a key past its expiry, and the key of a transfer that ended without a finalize', async () => {
  const expiring = await triggered();
  const orphan = await triggered();
  expect(keyLines(sshd, expiring.t.id)).toHaveLength(1);
  expect(keyLines(sshd, orphan.t.id)).toHaveLength(1);

  // the gateway forgets the transfer (as if finalize never reached it): only the sweep can help
  pair.destination.parts.transfers.end(orphan.t.id);
  await backend().sweep();
  expect(keyLines(sshd, orphan.t.id)).toEqual([]);
  expect(await probe(orphan.t, orphan.key)).toBe(false);
  expect(keyLines(sshd, expiring.t.id)).toHaveLength(1); // still the transfer's, still valid

  pair.destination.parts.clock.advance(61 * 60_000);
  try {
    await backend().sweep();
  } finally {
    pair.destination.parts.clock.advance(-61 * 60_000);
  }
  expect(keyLines(sshd, expiring.t.id)).toEqual([]);
  await expiring.t.finalize('expired');
}, 120_000);

it('a key past its expiry-time is refused by sshd itself, while the gateway still lists it', async () => {
  // the destination's clock runs 61 minutes late while it installs the key: the key it writes
  // expired a minute ago in real time, and nothing at the gateway would stop it
  pair.destination.parts.clock.advance(-61 * 60_000);
  let late: { t: TestTransfer; key: string };
  try {
    late = await triggered();
  } finally {
    pair.destination.parts.clock.advance(61 * 60_000);
  }
  const fresh = await triggered();
  expect(keyLines(sshd, late.t.id)).toHaveLength(1);
  expect(keyLines(sshd, fresh.t.id)).toHaveLength(1);
  // same file, same moment, same account: only the expiry differs
  expect(await probe(fresh.t, fresh.key)).toBe(true);
  expect(await probe(late.t, late.key)).toBe(false);
  expect(keyLines(sshd, late.t.id)).toHaveLength(1);

  await backend().sweep(); // the gateway's clock is right again: the expired line goes
  expect(keyLines(sshd, late.t.id)).toEqual([]);
  await late.t.finalize('expired');
  await fresh.t.finalize('expired');
}, 120_000);
