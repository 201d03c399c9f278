import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import { PluginPair, writeTree, type TestTransfer } from '@ferry/plugin-sdk/testing';
import plugin, { secretNames, type SftpOptions } from '@ferry/plugin-sftp';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';
import { keyLines, opensshOptions, opensshPairSetup } from './openssh-fixture.util';
import { ok, openSftp, outcome, rawConnect } from './raw-client.util';

// What a transfer key of the 'openssh' backend can and cannot reach in a real sshd (the table in
// docs/operator-guide-openssh.md): SFTP only, no shell, no command, no forwarding; inside SFTP the
// mapped account's own rights; from="..." when the source's addresses are known; and prepare
// refuses what sshd could not serve.
let sshd: RunningSshd;
const pairs: PluginPair<SftpOptions>[] = [];

beforeAll(async () => {
  sshd = await startSshd();
}, 60_000);
afterAll(async () => {
  for (const p of pairs) await p.stop();
  await sshd?.stop();
}, 60_000);

async function startPair(extra: Record<string, unknown> = {}, withAccount = true): Promise<PluginPair<SftpOptions>> {
  const p = await PluginPair.start(plugin, opensshOptions(sshd, extra), withAccount ? opensshPairSetup(sshd) : { baseDir: sshd.root });
  pairs.push(p);
  await writeTree(path.join(p.source.driveRoot, 'small'), { 'a.txt': 'a\n' });
  return p;
}

async function triggered(p: PluginPair<SftpOptions>): Promise<{ t: TestTransfer; key: string }> {
  const t = await p.transfer({ sourcePath: 'small' });
  await t.prepare();
  await t.triggerDestination();
  return { t, key: (await p.source.parts.secrets.get(secretNames.sshKey(t.id)))! };
}

const login = (key: string) => rawConnect({ host: sshd.host, port: sshd.port, username: sshd.account, privateKey: key });

function channelOutput(c: Client, how: 'exec' | 'shell'): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined, ch: import('ssh2').ClientChannel) => {
      if (err) return resolve(`refused: ${err.message}`);
      let out = '';
      ch.on('data', (d: Buffer) => (out += d.toString()));
      ch.stderr.on('data', (d: Buffer) => (out += d.toString()));
      ch.on('close', () => resolve(out));
      ch.on('error', reject);
      ch.end('id\nexit\n');
    };
    if (how === 'exec') c.exec('id; cat /etc/hostname', done);
    else c.shell({ term: 'xterm' }, done);
  });
}

it('gives SFTP only: no command, no shell or PTY, no port forwarding in either direction', async () => {
  const p = await startPair();
  const { t, key } = await triggered(p);
  let connections = 0;
  const target = net.createServer((s) => {
    connections++;
    s.end('secret-service\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const targetPort = (target.address() as net.AddressInfo).port;
  const c = await login(key);
  try {
    // whatever is asked for, sshd runs the forced sftp-server, which does not speak to a terminal
    expect(await channelOutput(c, 'exec')).not.toMatch(/uid=/);
    expect(await channelOutput(c, 'shell')).not.toMatch(/uid=/);
    const direct = await new Promise<string>((resolve) =>
      c.forwardOut('127.0.0.1', 0, '127.0.0.1', targetPort, (err, ch) => {
        if (err) return resolve(`refused: ${err.message}`);
        ch.end();
        resolve('opened');
      }),
    );
    expect(direct).toMatch(/^refused: .*open failed/i);
    expect(connections).toBe(0);
    const remote = await new Promise<string>((resolve) => c.forwardIn('127.0.0.1', 0, (err) => resolve(err ? `refused: ${err.message}` : 'allowed')));
    expect(remote).toMatch(/^refused/);
    // and SFTP itself works, starting in the destination folder
    const sftp = await openSftp(c);
    expect(await ok<string>((cb) => sftp.realpath('.', cb))).toBe(t.destination.localPath);
  } finally {
    c.end();
    target.close();
  }
  await t.finalize('cancelled');
  expect(keyLines(sshd, t.id)).toEqual([]);
}, 120_000);

it("reaches what the mapped account may reach (not a jail): it reads outside the folder, but cannot write where the account cannot", async () => {
  const p = await startPair();
  const { t, key } = await triggered(p);
  const rootOwned = fs.mkdtempSync(path.join(sshd.root, 'root-owned-'));
  fs.chmodSync(rootOwned, 0o755);
  const secret = path.join(rootOwned, 'root-only.txt');
  fs.writeFileSync(secret, 'root only\n', { mode: 0o600 });
  const c = await login(key);
  try {
    const sftp: SFTPWrapper = await openSftp(c);
    // the embedded backend would resolve /etc/passwd inside the folder; OpenSSH serves the real one
    expect((await ok<Buffer>((cb) => sftp.readFile('/etc/passwd', cb))).toString()).toMatch(/^root:/m);
    expect(await outcome((cb) => sftp.readFile(secret, cb))).toMatchObject({ message: expect.stringMatching(/permission denied/i) });
    expect(await outcome((cb) => sftp.writeFile(path.join(rootOwned, 'new.txt'), 'x', cb))).toMatchObject({
      message: expect.stringMatching(/permission denied/i),
    });
    expect(fs.readdirSync(rootOwned)).toEqual(['root-only.txt']);
  } finally {
    c.end();
  }
  await t.finalize('cancelled');
}, 120_000);

it('binds the key to the source addresses the operator configured for that peer (from="...")', async () => {
  const elsewhere = await startPair({ peerAddresses: { 'provider-a': ['192.0.2.1'] } });
  const refused = await triggered(elsewhere);
  expect(keyLines(sshd, refused.t.id)[0]).toMatch(/^restrict,expiry-time="\d{14}Z",from="192\.0\.2\.1",command=/);
  await refused.t.triggerSource();
  await refused.t.waitForEnd();
  expect(refused.t.source.record.failures.map((f) => f.code)).toEqual(['AUTH_FAILED']);
  await refused.t.finalize('failed');

  const here = await startPair({ peerAddresses: { 'provider-a': ['127.0.0.1'], 'provider-z': ['192.0.2.9'] } });
  const t = await here.transfer({ sourcePath: 'small' });
  await t.run();
  expect(t.source.record.failures).toEqual([]);
  expect(fs.readFileSync(path.join(t.destination.localPath, 'small', 'a.txt'), 'utf8')).toBe('a\n');
  expect((t.destination.state.grant as { sourceAddresses: string[] }).sourceAddresses).toEqual(['127.0.0.1']);
  await t.finalize('succeeded');
}, 120_000);

it('uses addresses a source announces in its public parameters, and refuses malformed ones', async () => {
  const p = await startPair();
  const t = await p.transfer({ sourcePath: 'small' });
  p.source.parts.transfers.add(t.source);
  const src = await t.sourcePlugin.prepareSource(t.source);
  p.destination.parts.transfers.add(t.destination);
  const prepareWith = (sourceAddresses: unknown) => t.destinationPlugin.prepareDestination(t.destination, { ...src.publicParams, sourceAddresses });
  await expect(prepareWith(['"; rm -rf /'])).rejects.toMatchObject({ code: 'REJECTED' });
  const prep = await prepareWith(['127.0.0.1/32']);
  expect((prep.state!.grant as { sourceAddresses: string[] }).sourceAddresses).toEqual(['127.0.0.1/32']);
  t.destination.mergeState(prep.state, 'Preparation.state');
  await t.triggerDestination(src.forPeer);
  expect(keyLines(sshd, t.id)[0]).toContain(',from="127.0.0.1/32",');
  await t.finalize('expired');
  expect(keyLines(sshd, t.id)).toEqual([]);
}, 60_000);

it('refuses at prepare: an identity mapped to no local account, and a folder the account cannot write', async () => {
  const nobody = await startPair({}, false); // identities map to 'researcher', which does not exist here
  const t = await nobody.transfer({ sourcePath: 'small' });
  await expect(t.prepare()).rejects.toMatchObject({ code: 'REJECTED', message: expect.stringMatching(/does not exist here/) });

  const p = await startPair();
  const locked = await p.transfer({ sourcePath: 'small' });
  fs.chownSync(locked.destination.localPath, 0, 0);
  await expect(locked.prepare()).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  expect(keyLines(sshd, locked.id)).toEqual([]);
}, 60_000);
