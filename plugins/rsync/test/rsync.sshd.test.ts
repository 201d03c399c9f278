import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'ssh2';
import { findTaggedSessions } from '@ferry/openssh';
import plugin, { rsyncSecretNames, type RsyncOptions, type RsyncPlugin } from '@ferry/plugin-rsync';
import {
  diffTrees,
  prefixTree,
  readTree,
  sha256OfFile,
  writeRandomFile,
  writeTree,
  PluginPair,
  TestTransferHandle,
  type PairSetup,
  type TestTransfer,
  type TreeSpec,
} from '@ferry/plugin-sdk/testing';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';
import { probeGrant, withTransferKey } from './ssh-probe.util';

/**
 * The rsync plugin end to end at plugin level: two plugin instances (the kit's PluginPair), a real
 * sshd with the fixture's throwaway account, real rsync and rrsync. What the conformance kit
 * already checks is not repeated here; these are the rsync/OpenSSH-specific promises.
 */
describe('rsync plugin with a real sshd', () => {
  let sshd: RunningSshd;
  /** unthrottled */
  let pair: PluginPair<RsyncOptions>;
  /** throttled (--bwlimit) so that a test can act in the middle of a transfer */
  let slow: PluginPair<RsyncOptions>;
  const BIG = 50 * 1024 * 1024;

  const setup = (): PairSetup => ({ baseDir: sshd.root, account: { name: sshd.account, uid: sshd.uid, gid: sshd.gid } });
  const options = (extra: Partial<RsyncOptions> = {}) => () => ({
    authorizedKeysDir: sshd.authorizedKeysDir,
    sshHost: sshd.host,
    sshPort: sshd.port,
    hostPublicKeyFile: sshd.hostPublicKeyFile,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    ...extra,
  });

  /** the raw authorized-keys file of the fixture's account ('' when absent) */
  const keyFile = () => {
    try {
      return fs.readFileSync(path.join(sshd.authorizedKeysDir, sshd.account), 'utf8');
    } catch {
      return '';
    }
  };
  const hasKey = (t: TestTransfer) => keyFile().includes(`ferry:${t.id}:`);
  const sourceKey = (p: PluginPair<RsyncOptions>, t: TestTransfer) => p.source.parts.secrets.get(rsyncSecretNames.sshKey(t.id));

  beforeAll(async () => {
    sshd = await startSshd();
    pair = await PluginPair.start(plugin, options(), setup());
    slow = await PluginPair.start(plugin, options({ bwlimitKiBps: 20 * 1024 }), setup());

    const many: TreeSpec = {};
    for (let d = 0; d < 10; d++) {
      const dir: TreeSpec = {};
      for (let f = 0; f < 100; f++) dir[`f${String(f).padStart(3, '0')}.txt`] = `file ${d}/${f}\n`.repeat((f % 7) + 1);
      many[`d${d}`] = dir;
    }
    await writeTree(path.join(pair.source.driveRoot, 'tree'), {
      'readme.txt': 'ferry rsync fixture\n',
      'empty.bin': Buffer.alloc(0),
      'empty-folder': {},
      'ünïcødé ファイル.txt': 'unicode name\n',
      'emoji 😀 and spaces.txt': 'emoji\n',
      [`it's "quoted" $(x).txt`]: 'shell metacharacters in a name\n',
      nested: { deeper: { deepest: { 'leaf.txt': 'leaf\n', 'empty.txt': '' } }, 'sibling.txt': 'sibling\n' },
      many,
    });
    await writeRandomFile(path.join(pair.source.driveRoot, 'tree', 'big.bin'), BIG);
    await writeRandomFile(path.join(slow.source.driveRoot, 'bigonly', 'big.bin'), BIG);
  });

  afterAll(async () => {
    await pair?.stop();
    await slow?.stop();
    await sshd?.stop();
  });

  it('copies a tree (nested, empty files and folder, unicode names, 50 MiB, 1,000 small files) with matching sha256, then revokes the key', async () => {
    const t = await pair.transfer({ sourcePath: 'tree', destinationPath: 'inbox-tree', options: { verify: 'checksum' } });
    await t.prepare();
    await t.triggerDestination();
    // the grant as sshd sees it: restricted, expiring, forced to rrsync write-only in the destination folder
    const line = keyFile().split('\n').find((l) => l.includes(`ferry:${t.id}:`))!;
    expect(line).toMatch(/^restrict,expiry-time="\d{14}Z",command="/);
    expect(line).toContain(`FERRY_TRANSFER_ID=${t.id} '/usr/bin/rrsync' -wo -no-del -no-lock '${t.destination.localPath}'`);
    expect(line).toContain(String(t.sourcePrep!.publicParams.sshPublicKey));

    await t.triggerSource();
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    const src = await readTree(path.join(pair.source.driveRoot, 'tree'));
    expect(diffTrees(prefixTree(src, 'tree', { type: 'dir', size: 0 }), await readTree(t.destination.localPath))).toEqual([]);

    const manifest = t.manifest!;
    expect(manifest.verify).toBe('checksum');
    const files = [...src].filter(([, e]) => e.type === 'file');
    expect(files.length).toBeGreaterThan(1000);
    expect(manifest.files.length).toBe(files.length);
    for (const f of manifest.files) expect(f.sha256).toBe(src.get(f.path.slice('tree/'.length))!.sha256);
    // the file list is rsync's own (names with quotes, emoji and unicode decoded), not a listing made afterwards
    expect(pair.source.parts.logger.text()).not.toMatch(/listing the source instead/);

    const last = t.source.record.reports[t.source.record.reports.length - 1];
    const bytes = files.reduce((n, [, e]) => n + e.size, 0);
    expect(last).toMatchObject({ bytesDone: bytes, bytesTotal: bytes, filesDone: files.length, filesTotal: files.length });

    const result = await t.finalize('succeeded');
    expect(result.destination).toMatchObject({ ok: true });
    expect(hasKey(t)).toBe(false);
    expect(await sourceKey(pair, t)).toBeUndefined(); // the private key is gone at the source too
    expect(fs.existsSync(path.join(pair.source.parts.dataDir, 'runs', t.id))).toBe(false);
  });

  it('moves no file data when the same unchanged tree is sent again (rsync skips by size and mtime)', async () => {
    const t = await pair.transfer({ sourcePath: 'tree', destinationPath: 'inbox-tree' });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    const stats = t.source.state.lastStats as Record<string, number>;
    expect(stats.totalTransferredFileSize).toBe(0); // --stats: "Total transferred file size: 0 bytes"
    expect(stats.regularFilesTransferred).toBe(0);
    expect(stats.totalFileSize).toBeGreaterThan(BIG);
    expect(t.source.record.reports.at(-1)?.message).toMatch(/already up to date/);
    // rsync sent nothing, yet its file list names every file: the manifest is complete
    const src = await readTree(path.join(pair.source.driveRoot, 'tree'), false);
    const expected = [...src].filter(([, e]) => e.type === 'file').map(([rel, e]) => ({ path: `tree/${rel}`, size: e.size }));
    expect(sortByPath(t.manifest!.files)).toEqual(sortByPath(expected));
    expect(pair.source.parts.logger.text()).not.toMatch(/listing the source instead/);
    const result = await t.finalize('succeeded');
    expect(result.destination).toMatchObject({ ok: true, message: `verified ${expected.length} file(s) by size` });
    expect(hasKey(t)).toBe(false);
  });

  it('still catches a file missing or cut short at the destination with a manifest from rsync’s list (size)', async () => {
    const t = await pair.transfer({ sourcePath: 'tree/many', destinationPath: 'inbox-many' });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    expect(t.manifest!.files).toHaveLength(1000);
    const size = (p: string) => t.manifest!.files.find((f) => f.path === p)!.size;
    fs.rmSync(path.join(t.destination.localPath, 'many', 'd3', 'f005.txt'));
    fs.truncateSync(path.join(t.destination.localPath, 'many', 'd7', 'f006.txt'), 1);
    const result = await t.finalize('succeeded');
    expect(result.destination?.ok).toBe(false);
    expect(result.destination?.mismatches).toEqual([
      { path: 'many/d3/f005.txt', expected: String(size('many/d3/f005.txt')), actual: null },
      { path: 'many/d7/f006.txt', expected: String(size('many/d7/f006.txt')), actual: '1' },
    ]);
    expect(hasKey(t)).toBe(false);
  });

  it('lists the source itself when rsync’s file list does not add up to its --stats (a line lost)', async () => {
    // an rsync that loses one line of its output on the way to the gateway
    const lossy = path.join(sshd.root, 'rsync-losing-a-line.sh');
    fs.writeFileSync(lossy, "#!/bin/bash\nset -o pipefail\nrsync \"$@\" | grep -v ' many/d0/f000.txt$'\n", { mode: 0o755 });
    const p = await PluginPair.start(plugin, options({ rsyncPath: lossy }), setup());
    try {
      await writeTree(path.join(p.source.driveRoot, 'many'), { d0: { 'f000.txt': 'first\n', 'f001.txt': 'second\n' }, d1: { 'f000.txt': 'third\n' } });
      const t = await p.transfer({ sourcePath: 'many' });
      await t.run();
      expect(t.source.record.failures).toEqual([]);
      expect(p.source.parts.logger.text()).toMatch(/listing the source instead/);
      expect(sortByPath(t.manifest!.files)).toEqual([
        { path: 'many/d0/f000.txt', size: 6 },
        { path: 'many/d0/f001.txt', size: 7 },
        { path: 'many/d1/f000.txt', size: 6 },
      ]);
      expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
    } finally {
      await p.stop();
    }
  });

  it('catches one byte changed at the destination before finalize (checksum), listing the file', async () => {
    const t = await pair.transfer({ sourcePath: 'tree/big.bin', options: { verify: 'checksum' } });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    const arrived = path.join(t.destination.localPath, 'big.bin');
    const fd = fs.openSync(arrived, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, 12345);
    fs.writeSync(fd, Buffer.from([b[0] ^ 0xff]), 0, 1, 12345);
    fs.closeSync(fd);
    const result = await t.finalize('succeeded');
    expect(result.destination?.ok).toBe(false);
    expect(result.destination?.mismatches).toEqual([
      { path: 'big.bin', expected: t.manifest!.files[0].sha256, actual: await sha256OfFile(arrived) },
    ]);
    expect(result.destination?.message).toMatch(/1 of 1 file\(s\) differ/);
    expect(hasKey(t)).toBe(false);
  });

  it('resumes after the rsync child is killed (SIGKILL) mid-transfer and ends with a correct copy', async () => {
    const t = await slow.transfer({ sourcePath: 'bigonly' });
    await t.prepare();
    await t.triggerDestination();
    await t.triggerSource();
    await t.waitForMidTransfer();
    expect(t.source.record.completions).toEqual([]);
    const pid = rsyncPidOf(t.id);
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    expect(Number(t.source.state.runs)).toBeGreaterThanOrEqual(2);
    const stats = t.source.state.lastStats as Record<string, number>;
    expect(stats.matchedData).toBeGreaterThan(0); // the partial file was the basis: only the rest was sent
    expect(t.source.record.reports.some((r) => /retrying/.test(r.message ?? ''))).toBe(true);
    // no listing before rsync: the first run's total is estimated from progress2's percentage, the
    // resumed run's comes exactly from its dry run
    const totals = t.source.record.reports.map((r) => r.bytesTotal).filter((b): b is number => b !== null);
    expect(totals.length).toBeGreaterThan(0);
    for (const b of totals) expect(Math.abs(b - BIG) / BIG).toBeLessThan(0.5);
    const retry = t.source.record.reports.findIndex((r) => /retrying/.test(r.message ?? ''));
    const afterRetry = t.source.record.reports.slice(retry + 1);
    expect(afterRetry.length).toBeGreaterThan(0);
    for (const r of afterRetry) expect(r.bytesTotal).toBe(BIG);
    expect(await sha256OfFile(path.join(t.destination.localPath, 'bigonly', 'big.bin'))).toBe(
      await sha256OfFile(path.join(slow.source.driveRoot, 'bigonly', 'big.bin')),
    );
    expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
    expect(hasKey(t)).toBe(false);
  });

  it('removes the key after cancel, failure and expiry too (and the sweep removes expired keys)', async () => {
    // cancel in the middle: key gone, no partial (mtime 0) file left behind
    const c = await slow.transfer({ sourcePath: 'bigonly' });
    await c.prepare();
    await c.triggerDestination();
    await c.triggerSource();
    await c.waitForMidTransfer();
    expect(hasKey(c)).toBe(true);
    expect(await findTaggedSessions(c.id)).not.toEqual([]); // rrsync / rsync --server at work
    // revocation ends the sessions by the account's uid kept since prepare (no look-up at the end)
    expect(c.destination.state.uid).toBe(sshd.uid);
    await c.cancel();
    expect(hasKey(c)).toBe(false);
    expect(await findTaggedSessions(c.id)).toEqual([]);
    await c.finalize('cancelled');
    expect(fs.existsSync(path.join(c.destination.localPath, 'bigonly', 'big.bin'))).toBe(false);

    // failure: the source is sent to an account sshd does not let in
    const f = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    await f.prepare();
    await f.triggerDestination();
    expect(hasKey(f)).toBe(true);
    await f.triggerSource({ ...f.destinationPrep!.forPeer, user: 'nobody' });
    await f.waitForEnd();
    expect(f.source.record.failures.map((x) => x.code)).toEqual(['AUTH_FAILED']);
    expect(f.source.record.failures[0].message).toMatch(/refused the transfer key/);
    await f.finalize('failed');
    expect(hasKey(f)).toBe(false);

    // expiry: triggered at the destination, never at the source
    const e = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    await e.prepare();
    await e.triggerDestination();
    expect(hasKey(e)).toBe(true);
    await e.finalize('expired');
    expect(hasKey(e)).toBe(false);

    // the sweep, without any finalize: the key's lifetime passes at the destination
    const s = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    await s.prepare();
    await s.triggerDestination();
    expect(hasKey(s)).toBe(true);
    pair.destination.parts.clock.advance(61 * 60_000);
    try {
      await (pair.destination.plugin as RsyncPlugin).sweep();
    } finally {
      pair.destination.parts.clock.advance(-61 * 60_000);
    }
    expect(hasKey(s)).toBe(false);
    await s.finalize('expired');
  });

  it('is refused by sshd itself once the key is past its expiry-time (the gateway is not asked)', async () => {
    const t = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    await t.prepare();
    // the destination gateway's clock is 3 hours behind: it writes a key that real time has already expired
    pair.destination.parts.clock.advance(-3 * 3600_000);
    try {
      await t.triggerDestination();
    } finally {
      pair.destination.parts.clock.advance(3 * 3600_000);
    }
    const line = keyFile().split('\n').find((l) => l.includes(`ferry:${t.id}:`))!;
    const expiry = /expiry-time="(\d{14})Z"/.exec(line)![1];
    expect(Number(expiry)).toBeLessThan(Number(new Date().toISOString().replace(/\D/g, '').slice(0, 14)));
    await t.triggerSource();
    await t.waitForEnd();
    expect(t.source.record.failures.map((x) => x.code)).toEqual(['AUTH_FAILED']);
    expect(fs.readdirSync(t.destination.localPath)).toEqual([]);
    await t.finalize('failed');
    expect(hasKey(t)).toBe(false);
  });

  it('gives the key no shell, no port forwarding, no writing outside the destination folder and no reading', async () => {
    const t = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    await t.prepare();
    await t.triggerDestination();
    const key = (await sourceKey(pair, t))!;
    const forPeer = t.destinationPrep!.forPeer;
    expect(await probeGrant(forPeer, key)).toBe(true);
    fs.writeFileSync(path.join(t.destination.localPath, 'already-there.txt'), 'private data\n');
    const outside = path.join(path.dirname(t.destination.localPath), `outside-${t.id.slice(0, 8)}`);
    const local = fs.mkdtempSync(path.join(sshd.root, 'local-'));
    fs.writeFileSync(path.join(local, 'payload.txt'), 'payload\n');

    // a shell command: rrsync runs instead, and refuses anything that is not rsync
    const shell = await withTransferKey(forPeer, key, (ssh, target) => ({ cmd: ssh[0], args: [...ssh.slice(1), target, 'id; echo SHELL-OK'] }));
    expect(shell.code).not.toBe(0);
    expect(shell.stdout + shell.stderr).not.toMatch(/uid=|SHELL-OK/);

    // write outside the folder: relative escape and absolute path
    const rsyncTo = (dest: string) =>
      withTransferKey(forPeer, key, (ssh, target) => ({
        cmd: 'rsync',
        args: ['-a', '-e', ssh.map((a) => `'${a.replace(/'/g, "''")}'`).join(' '), path.join(local, 'payload.txt'), `${target}:${dest}`],
      }));
    const up = await rsyncTo(`../${path.basename(outside)}`);
    expect(up.code).not.toBe(0);
    await rsyncTo(outside);
    expect(fs.existsSync(outside)).toBe(false);

    // read (pull) from the folder: write-only
    const pull = await withTransferKey(forPeer, key, (ssh, target) => ({
      cmd: 'rsync',
      args: ['-a', '-e', ssh.map((a) => `'${a.replace(/'/g, "''")}'`).join(' '), `${target}:already-there.txt`, path.join(local, 'pulled')],
    }));
    expect(pull.code).not.toBe(0);
    expect(pull.stderr).toMatch(/write-only/);
    expect(fs.existsSync(path.join(local, 'pulled'))).toBe(false);

    // port forwarding to a service on the destination host
    let connections = 0;
    const service = net.createServer((s) => {
      connections++;
      s.end('secret\n');
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', () => r()));
    const c = new Client();
    await new Promise<void>((resolve, reject) => {
      c.once('ready', () => resolve());
      c.once('error', reject);
      c.connect({ host: sshd.host, port: sshd.port, username: sshd.account, privateKey: key });
    });
    const fwd = await new Promise<string>((resolve) =>
      c.forwardOut('127.0.0.1', 0, '127.0.0.1', (service.address() as net.AddressInfo).port, (err, ch) => {
        if (err) return resolve(`refused: ${err.message}`);
        ch.on('data', () => undefined);
        ch.on('end', () => resolve('opened'));
      }),
    );
    c.end();
    service.close();
    expect(fwd).toMatch(/^refused/);
    expect(connections).toBe(0);

    await t.finalize('expired');
    expect(await probeGrant(forPeer, key)).toBe(false);
  });

  it('adds from="..." for a source that names its addresses; sshd enforces it', async () => {
    const good = await PluginPair.start(plugin, options({ egressAddresses: ['127.0.0.1'] }), setup());
    const bad = await PluginPair.start(plugin, options({ egressAddresses: ['192.0.2.1'] }), setup());
    try {
      for (const p of [good, bad]) await writeTree(path.join(p.source.driveRoot, 'd'), { 'x.txt': 'x\n' });
      const ok = await good.transfer({ sourcePath: 'd' });
      await ok.prepare();
      await ok.triggerDestination();
      expect(keyFile().split('\n').find((l) => l.includes(`ferry:${ok.id}:`))).toContain('from="127.0.0.1"');
      await ok.triggerSource();
      await ok.waitForEnd();
      expect(ok.source.record.failures).toEqual([]);
      expect((await ok.finalize('succeeded')).destination?.ok).toBe(true);

      const no = await bad.transfer({ sourcePath: 'd' });
      await no.run();
      expect(no.source.record.failures.map((x) => x.code)).toEqual(['AUTH_FAILED']);
      await no.finalize('failed');
      expect(hasKey(no)).toBe(false);
    } finally {
      await good.stop();
      await bad.stop();
    }
  });

  it('refuses to prepare a destination the mapped account cannot write to, or a missing account', async () => {
    const t = await pair.transfer({ sourcePath: 'tree/readme.txt' });
    fs.chownSync(t.destination.localPath, 0, 0);
    fs.chmodSync(t.destination.localPath, 0o755);
    await expect(t.prepare()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const src = await pair.source.plugin.prepareSource(t.source);
    const ghost = new TestTransferHandle({
      id: `${t.id.slice(0, 8)}-ghost`,
      role: 'destination',
      drive: t.destination.drive,
      path: t.destination.path,
      localPath: t.destination.localPath,
      identity: { name: 'ghost', account: 'ferry-no-such-account', attributes: {} },
    });
    await expect(pair.destination.plugin.prepareDestination(ghost, src.publicParams)).rejects.toMatchObject({ code: 'REJECTED' });
    await pair.source.plugin.finalize(t.source, 'expired');
  });
});

function sortByPath<T extends { path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The pid of the transfer's rsync client (argv[0] rsync, its -e names the transfer's run folder). */
function rsyncPidOf(transferId: string): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(argv[0]) === 'rsync' && argv.some((a) => a.includes(`/runs/${transferId}/`))) return Number(entry);
    } catch {
      /* gone */
    }
  }
  return null;
}
