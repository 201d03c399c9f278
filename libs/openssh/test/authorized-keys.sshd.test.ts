import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'ssh2';
import {
  AuthorizedKeysManager,
  buildFerryKeyLine,
  endTaggedSessions,
  generateEd25519KeyPair,
  resolveHostKey,
  sftpCommand,
  sshClientArgs,
  sshTarget,
  taggedCommand,
  writeSshClientFiles,
  type SshClientFiles,
  type SshKeyPair,
} from '@ferry/openssh';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';

/**
 * What sshd itself does with the keys AuthorizedKeysManager writes: a real sshd reading the
 * manager's folder, a real ssh client. These are the guarantees docs/operator-guide-openssh.md
 * promises operators, so each one is tried against sshd, not assumed.
 */
describe('ferry keys in a real sshd', () => {
  let sshd: RunningSshd;
  let manager: AuthorizedKeysManager;
  let work: string;
  const soon = () => new Date(Date.now() + 10 * 60_000);

  beforeAll(async () => {
    sshd = await startSshd();
    manager = new AuthorizedKeysManager({ dir: sshd.authorizedKeysDir });
    work = fs.mkdtempSync(path.join(sshd.root, 'client-'));
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  async function clientFor(kp: SshKeyPair, name: string): Promise<SshClientFiles> {
    return writeSshClientFiles(path.join(work, name), { privateKey: kp.privateKey, host: sshd.host, port: sshd.port, hostPublicKey: sshd.hostPublicKey });
  }

  function ssh(files: SshClientFiles, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const args = [...sshClientArgs({ identityFile: files.identityFile, knownHostsFile: files.knownHostsFile, port: sshd.port }), sshTarget(sshd.account, sshd.host), command];
    return new Promise((resolve) => {
      execFile('ssh', args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  }

  function ssh2Connect(kp: SshKeyPair): Promise<Client> {
    return new Promise((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => resolve(c));
      c.once('error', reject);
      c.connect({ host: sshd.host, port: sshd.port, username: sshd.account, privateKey: kp.privateKey, readyTimeout: 20_000 });
    });
  }

  it('resolves the host key from a fingerprint alone (ssh-keyscan) and from the .pub file', async () => {
    const byFp = await resolveHostKey({ host: sshd.host, port: sshd.port, hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(byFp).toEqual({ publicKey: sshd.hostPublicKey, fingerprint: sshd.hostKeyFingerprint });
    const byFile = await resolveHostKey({ host: sshd.host, port: sshd.port, hostPublicKeyFile: sshd.hostPublicKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint });
    expect(byFile.publicKey).toBe(sshd.hostPublicKey);
    const other = generateEd25519KeyPair().fingerprint;
    await expect(resolveHostKey({ host: sshd.host, port: sshd.port, hostKeyFingerprint: other })).rejects.toThrow(/no host key/);
  });

  it('accepts an installed key, runs only the forced command, and refuses it once removed', async () => {
    const kp = generateEd25519KeyPair();
    await manager.add({ account: sshd.account, transferId: 'forced', publicKey: kp.publicKey, command: 'echo forced-command-ran', expiresAt: soon() });
    const st = fs.statSync(manager.fileFor(sshd.account));
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 0, gid: sshd.gid, mode: 0o640 });
    const files = await clientFor(kp, 'forced');
    const r = await ssh(files, 'id; cat /etc/passwd');
    expect(r.stdout.trim()).toBe('forced-command-ran');
    await manager.remove('forced', sshd.account);
    const after = await ssh(files, 'true');
    expect(after.code).toBe(255);
    expect(after.stderr).toMatch(/Permission denied/);
  });

  it('refuses a key whose expiry-time has passed: sshd itself, with no gateway involved', async () => {
    const expired = generateEd25519KeyPair();
    const valid = generateEd25519KeyPair();
    // written directly: the manager would refuse to add an expired key
    const past = buildFerryKeyLine({ transferId: 'expired', publicKey: expired.publicKey, command: 'echo in', expiresAt: new Date(Date.now() - 60_000) });
    const future = buildFerryKeyLine({ transferId: 'valid', publicKey: valid.publicKey, command: 'echo in', expiresAt: soon() });
    const file = manager.fileFor(sshd.account);
    fs.writeFileSync(file, `${past.line}\n${future.line}\n`);
    fs.chownSync(file, 0, sshd.gid);
    fs.chmodSync(file, 0o640);

    const refused = await ssh(await clientFor(expired, 'expired'), 'true');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Permission denied/);
    // the same file, the same moment: the only difference is the expiry
    const accepted = await ssh(await clientFor(valid, 'valid'), 'true');
    expect(accepted.stdout.trim()).toBe('in');

    expect((await manager.sweep()).map((k) => k.transferId)).toEqual(['expired']);
    expect((await manager.list(sshd.account)).map((k) => k.transferId)).toEqual(['valid']);
    await manager.remove('valid');
  });

  it('honours from="...": the key works only from the listed addresses', async () => {
    const kp = generateEd25519KeyPair();
    const files = await clientFor(kp, 'from');
    await manager.add({ account: sshd.account, transferId: 'from', publicKey: kp.publicKey, command: 'echo in', expiresAt: soon(), from: ['192.0.2.1'] });
    expect((await ssh(files, 'true')).stderr).toMatch(/Permission denied/);
    await manager.add({ account: sshd.account, transferId: 'from', publicKey: kp.publicKey, command: 'echo in', expiresAt: soon(), from: ['127.0.0.1'] });
    expect((await ssh(files, 'true')).stdout.trim()).toBe('in');
    await manager.remove('from');
  });

  it('gives no shell, no PTY and no port forwarding (and the same key without `restrict` could forward)', async () => {
    const kp = generateEd25519KeyPair();
    let connections = 0;
    const target = net.createServer((s) => {
      connections++;
      s.end('secret-service\n');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    const targetPort = (target.address() as net.AddressInfo).port;
    const forward = (c: Client) =>
      new Promise<string>((resolve) => {
        c.forwardOut('127.0.0.1', 0, '127.0.0.1', targetPort, (err, ch) => {
          if (err) return resolve(`refused: ${err.message}`);
          let out = '';
          ch.on('data', (d: Buffer) => (out += d.toString()));
          ch.on('end', () => {
            ch.end();
            resolve(out);
          });
        });
      });
    try {
      // control: a plain forced-command key (what many hand-written setups use) does forward
      const file = manager.fileFor(sshd.account);
      fs.writeFileSync(file, `command="echo forced" ${kp.publicKey}\n`);
      fs.chownSync(file, 0, sshd.gid);
      fs.chmodSync(file, 0o640);
      const loose = await ssh2Connect(kp);
      expect(await forward(loose)).toBe('secret-service\n');
      loose.end();
      expect(connections).toBe(1);
      fs.rmSync(file);

      await manager.add({ account: sshd.account, transferId: 'restrict', publicKey: kp.publicKey, command: 'echo forced', expiresAt: soon() });
      const c = await ssh2Connect(kp);
      try {
        // an interactive shell request gets the forced command, and no terminal
        const shellOut = await new Promise<string>((resolve, reject) => {
          c.shell({ term: 'xterm' }, (err, ch) => {
            if (err) return resolve(`refused: ${err.message}`);
            let out = '';
            ch.on('data', (d: Buffer) => (out += d.toString()));
            ch.stderr.on('data', (d: Buffer) => (out += d.toString()));
            ch.on('close', () => resolve(out));
            ch.on('error', reject);
            ch.end('id\nexit\n');
          });
        });
        expect(shellOut).not.toMatch(/uid=/);
        // direct-tcpip (ssh -L) to a service on the server: refused by `restrict`
        expect(await forward(c)).toMatch(/^refused: .*open failed/i);
        expect(connections).toBe(1);
        // tcpip-forward (ssh -R): refused too
        const remote = await new Promise<string>((resolve) => c.forwardIn('127.0.0.1', 0, (err) => resolve(err ? `refused: ${err.message}` : 'allowed')));
        expect(remote).toMatch(/^refused/);
      } finally {
        c.end();
      }
    } finally {
      target.close();
      await manager.remove('restrict');
    }
  });

  it('refuses every key of a file others can write (StrictModes), which is why the manager writes 0640', async () => {
    const kp = generateEd25519KeyPair();
    await manager.add({ account: sshd.account, transferId: 'modes', publicKey: kp.publicKey, command: 'echo in', expiresAt: soon() });
    const files = await clientFor(kp, 'modes');
    // world-writable: refused by every OpenSSH (Debian's sshd tolerates group-writable files when
    // the group is the account's private group, so 0660 would not show it there)
    fs.chmodSync(manager.fileFor(sshd.account), 0o646);
    expect((await ssh(files, 'true')).stderr).toMatch(/Permission denied/);
    expect(sshd.logs()).toMatch(/bad ownership or modes/);
    fs.chmodSync(manager.fileFor(sshd.account), 0o640);
    expect((await ssh(files, 'true')).stdout.trim()).toBe('in');
    await manager.remove('modes');
  });

  it('serves sftp (and nothing else) to a key forced to internal-sftp; the account’s own rights apply', async () => {
    const kp = generateEd25519KeyPair();
    const dest = sshd.accountDir('in-100%');
    await manager.add({ account: sshd.account, transferId: 'sftp', publicKey: kp.publicKey, command: sftpCommand({ server: 'internal', startDir: dest }), expiresAt: soon() });
    const exec = await ssh(await clientFor(kp, 'sftp'), 'id');
    expect(exec.stdout).not.toMatch(/uid=/);
    const c = await ssh2Connect(kp);
    try {
      const { cwd, passwd } = await new Promise<{ cwd: string; passwd: string }>((resolve, reject) => {
        c.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.realpath('.', (e1, cwd) => {
            if (e1) return reject(e1);
            sftp.writeFile(`${cwd}/hello.txt`, 'hi', (e2) => {
              if (e2) return reject(e2);
              // not a jail: whatever the account may read, the key may read (documented)
              sftp.readFile('/etc/passwd', (e3, data) => (e3 ? reject(e3) : resolve({ cwd, passwd: data.toString() })));
            });
          });
        });
      });
      expect(cwd).toBe(dest);
      expect(fs.readFileSync(path.join(dest, 'hello.txt'), 'utf8')).toBe('hi');
      expect(passwd).toMatch(/^root:/m);
    } finally {
      c.end();
      await manager.remove('sftp');
    }
  });

  it('starts the sftp-server binary in a folder with any name (shell-quoted)', async () => {
    const kp = generateEd25519KeyPair();
    const dest = sshd.accountDir(`in "quoted" it's`);
    const command = sftpCommand({ server: { sftpServerPath: '/usr/lib/openssh/sftp-server' }, startDir: dest });
    await manager.add({ account: sshd.account, transferId: 'sftp2', publicKey: kp.publicKey, command, expiresAt: soon() });
    const c = await ssh2Connect(kp);
    try {
      const cwd = await new Promise<string>((resolve, reject) =>
        c.sftp((err, sftp) => (err ? reject(err) : sftp.realpath('.', (e, p) => (e ? reject(e) : resolve(p))))),
      );
      expect(cwd).toBe(dest);
    } finally {
      c.end();
      await manager.remove('sftp2');
    }
  });

  it('a removed key still opens channels on a connection made before; endTaggedSessions ends that connection', async () => {
    const kp = generateEd25519KeyPair();
    const dest = sshd.accountDir('tagged');
    const command = taggedCommand('tagged-1', sftpCommand({ server: { sftpServerPath: '/usr/lib/openssh/sftp-server' }, startDir: dest }));
    await manager.add({ account: sshd.account, transferId: 'tagged-1', publicKey: kp.publicKey, command, expiresAt: soon() });
    const c = await ssh2Connect(kp);
    const sftpCwd = () =>
      new Promise<string>((resolve, reject) => c.sftp((err, sftp) => (err ? reject(err) : sftp.realpath('.', (e, p) => (e ? reject(e) : resolve(p))))));
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    try {
      expect(await sftpCwd()).toBe(dest);
      await manager.remove('tagged-1', sshd.account);
      // sshd checks keys at login only: the open connection starts the forced command again
      expect(await sftpCwd()).toBe(dest);
      const ended = await endTaggedSessions('tagged-1', { uid: sshd.uid });
      expect(ended.length).toBeGreaterThanOrEqual(2); // the connection's sshd and the sftp-servers
      await closed;
    } finally {
      c.end();
    }
  });
});
