import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitForPort } from './postgres-server';

/**
 * A throwaway real OpenSSH server for tests, configured the way docs/operator-guide-openssh.md tells
 * operators to configure theirs: keys come only from a gateway-managed folder with one file per
 * account (`AuthorizedKeysFile <dir>/%u`), no passwords, StrictModes on.
 *
 * Runs as root (sshd needs it to switch to the account, useradd needs it to create one).
 * Everything lives under a root-owned 0755 folder outside /tmp: sshd's StrictModes walks every
 * parent of the authorized-keys file and refuses group- or world-writable ones, and /tmp is 1777.
 * stop() kills sshd and the account's processes (by pid), deletes the account and the folder.
 */
export interface RunningSshd {
  host: '127.0.0.1';
  port: number;
  /** 'SHA256:...' as `ssh-keygen -l` prints it */
  hostKeyFingerprint: string;
  /** 'ssh-ed25519 AAAA...' (no comment) */
  hostPublicKey: string;
  hostPublicKeyFile: string;
  /** root-owned 0755 folder sshd reads `<dir>/<account>` from */
  authorizedKeysDir: string;
  /** the throwaway local account (also its primary group) */
  account: string;
  uid: number;
  gid: number;
  home: string;
  /** the fixture's own folder (root-owned 0755) */
  root: string;
  configFile: string;
  /** sshd's log so far (LogLevel VERBOSE, on stderr) */
  logs(): string;
  /** a folder `<root>/data/<name>` owned by the account (parents traversable), for destination drives */
  accountDir(name: string): string;
  stop(): Promise<void>;
}

export const SSHD_PATH = '/usr/sbin/sshd';
/** Parent of every fixture folder: root-owned, 0755, not under /tmp (see StrictModes above). */
export const SSHD_FIXTURE_BASE = process.env.FERRY_TEST_SSHD_BASE ?? '/var/lib/ferry-test';
const ACCOUNT_PREFIX = 'ferrytest';

export function sshdAvailable(): boolean {
  return fs.existsSync(SSHD_PATH) && typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function startSshd(opts: { extraConfig?: string[] } = {}): Promise<RunningSshd> {
  if (!fs.existsSync(SSHD_PATH)) {
    throw new Error(`${SSHD_PATH} not found: run \`node test/setup/install-system-deps.js\` as root (installs openssh-server)`);
  }
  if (process.getuid?.() !== 0) throw new Error('the sshd test fixture must run as root (sshd switches users; useradd)');
  reapStaleFixtures();

  fs.mkdirSync(SSHD_FIXTURE_BASE, { recursive: true, mode: 0o755 });
  fs.chmodSync(SSHD_FIXTURE_BASE, 0o755);
  const root = fs.mkdtempSync(path.join(SSHD_FIXTURE_BASE, 'sshd-'));
  fs.chmodSync(root, 0o755);
  // sshd's privilege-separation folder; Debian's init script normally creates it
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const hostKey = path.join(root, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ferry-test-host', '-f', hostKey]);
  const hostPublicKey = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(/\s+/)[1];

  const authorizedKeysDir = path.join(root, 'authorized_keys');
  fs.mkdirSync(authorizedKeysDir, { mode: 0o755 });
  fs.chmodSync(authorizedKeysDir, 0o755);

  const account = `${ACCOUNT_PREFIX}${randomBytes(4).toString('hex')}`;
  const home = path.join(root, 'home', account);
  fs.mkdirSync(path.dirname(home), { mode: 0o755 });
  // '*' instead of useradd's default '!': with UsePAM no, sshd refuses every login of a '!'-locked
  // account, keys included. '*' still means "no password can match".
  retryOnLock(() =>
    execFileSync('useradd', ['--home-dir', home, '--create-home', '--shell', '/bin/sh', '--password', '*', '--user-group', account], { stdio: 'pipe' }),
  );
  const uid = Number(execFileSync('id', ['-u', account], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', account], { encoding: 'utf8' }).trim());
  fs.writeFileSync(path.join(root, 'owner.json'), JSON.stringify({ pid: process.pid, account }));

  const port = await freePort();
  const configFile = path.join(root, 'sshd_config');
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(root, 'sshd.pid')}`,
    // the lines an operator adds (docs/operator-guide-openssh.md):
    `AuthorizedKeysFile ${authorizedKeysDir}/%u`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes yes',
    // test-only: no PAM inside containers, only our account, quiet logs we can read
    'UsePAM no',
    'PermitRootLogin no',
    `AllowUsers ${account}`,
    // left at its permissive default on purpose: tests prove the *key* cannot forward
    'AllowTcpForwarding yes',
    'Subsystem sftp internal-sftp',
    'LogLevel VERBOSE',
    ...(opts.extraConfig ?? []),
  ];
  // OpenSSH >= 9.8 penalizes sources after failed logins; tests fail logins on purpose from 127.0.0.1
  if (sshdAccepts(config, configFile, 'PerSourcePenalties no')) config.push('PerSourcePenalties no');
  fs.writeFileSync(configFile, config.join('\n') + '\n', { mode: 0o644 });
  try {
    execFileSync(SSHD_PATH, ['-t', '-f', configFile], { stdio: 'pipe' });
  } catch (e) {
    await removeAccount(account, uid);
    throw new Error(`sshd refused the test configuration: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }

  let log = '';
  const child: ChildProcess = spawn(SSHD_PATH, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString('utf8');
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, 15_000);
  } catch (e) {
    child.kill('SIGKILL');
    await removeAccount(account, uid);
    throw new Error(`sshd did not start: ${(e as Error).message}\n${log}`);
  }

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    hostKeyFingerprint,
    hostPublicKey,
    hostPublicKeyFile: `${hostKey}.pub`,
    authorizedKeysDir,
    account,
    uid,
    gid,
    home,
    root,
    configFile,
    logs: () => log,
    accountDir(name: string) {
      const dir = path.join(root, 'data', name);
      fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fs.chownSync(dir, uid, gid);
      return dir;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await removeAccount(account, uid);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Whether this sshd understands a config line (options differ between OpenSSH releases). */
function sshdAccepts(base: string[], configFile: string, line: string): boolean {
  const probe = `${configFile}.probe`;
  fs.writeFileSync(probe, [...base, line].join('\n') + '\n');
  try {
    execFileSync(SSHD_PATH, ['-t', '-f', probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/** Pids of processes running as `uid` (read from /proc, so we end exactly those, one by one). */
function pidsOf(uid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.statSync(`/proc/${entry}`).uid === uid) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

async function removeAccount(account: string, uid: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const pids = pidsOf(uid);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    retryOnLock(() => execFileSync('userdel', [account], { stdio: 'pipe' }));
  } catch {
    /* already removed */
  }
}

/** useradd/userdel fail while another process holds /etc/passwd's lock (parallel test files). */
function retryOnLock(fn: () => unknown): void {
  for (let i = 0; ; i++) {
    try {
      fn();
      return;
    } catch (e) {
      const msg = String((e as { stderr?: Buffer }).stderr ?? '');
      if (i >= 50 || !/lock|try again/i.test(msg)) throw new Error(`${(e as Error).message}: ${msg}`);
      execFileSync('sleep', ['0.2']);
    }
  }
}

/**
 * Fixtures of test processes that died without stop(): delete their accounts and folders so
 * /etc/passwd does not fill up with ferrytest* users.
 */
function reapStaleFixtures(): void {
  if (!fs.existsSync(SSHD_FIXTURE_BASE)) return;
  for (const name of fs.readdirSync(SSHD_FIXTURE_BASE)) {
    const dir = path.join(SSHD_FIXTURE_BASE, name);
    let owner: { pid: number; account: string };
    try {
      owner = JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(owner.pid) || !owner.account.startsWith(ACCOUNT_PREFIX)) continue;
    try {
      const uid = Number(execFileSync('id', ['-u', owner.account], { encoding: 'utf8', stdio: 'pipe' }).trim());
      for (const pid of pidsOf(uid)) process.kill(pid, 'SIGKILL');
      retryOnLock(() => execFileSync('userdel', [owner.account], { stdio: 'pipe' }));
    } catch {
      /* account already gone */
    }
    try {
      const pid = Number(fs.readFileSync(path.join(dir, 'sshd.pid'), 'utf8'));
      if (pid > 1 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
    } catch {
      /* not running */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The ferry lines of the fixture account's authorized-keys file that belong to one transfer. */
export function transferKeyLines(sshd: RunningSshd, transferId: string): string[] {
  const file = path.join(sshd.authorizedKeysDir, sshd.account);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`ferry:${transferId}:`));
}
