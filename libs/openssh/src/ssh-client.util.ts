import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { knownHostsLine } from './host-key.util';

/**
 * Running OpenSSH's client with one ephemeral key against one pinned host key, and nothing else:
 * no agent, no user or system ssh_config, no other identities, no known_hosts but ours, no
 * forwarding, no prompts. Callers spawn ssh (or rsync -e ssh) without a shell.
 */
export interface SshClientFiles {
  dir: string;
  identityFile: string;
  knownHostsFile: string;
  /** deletes the folder with the private key */
  remove(): Promise<void>;
}

/**
 * Writes the private key (0600) and a one-line known_hosts (0600) into `dir` (created 0700).
 * Keep `dir` private to the gateway (e.g. under the plugin's dataDir) and call remove() as soon as
 * the client has exited.
 */
export async function writeSshClientFiles(
  dir: string,
  o: { privateKey: string; host: string; port: number; hostPublicKey: string },
): Promise<SshClientFiles> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const identityFile = path.join(dir, 'id_ed25519');
  const knownHostsFile = path.join(dir, 'known_hosts');
  await writePrivate(identityFile, o.privateKey.endsWith('\n') ? o.privateKey : `${o.privateKey}\n`);
  await writePrivate(knownHostsFile, `${knownHostsLine(o.host, o.port, o.hostPublicKey)}\n`);
  return { dir, identityFile, knownHostsFile, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

async function writePrivate(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await fs.rm(tmp, { force: true });
  await fs.writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  await fs.rename(tmp, file);
}

export interface SshClientArgsOptions {
  identityFile: string;
  knownHostsFile: string;
  port: number;
  /** seconds to wait for the TCP connection and the SSH handshake (default 20) */
  connectTimeoutSeconds?: number;
  /** keepalives: the connection counts as dead after interval × count seconds of silence (15 × 4) */
  serverAliveIntervalSeconds?: number;
  serverAliveCountMax?: number;
}

/** ssh arguments up to (not including) the destination `user@host`. */
export function sshClientArgs(o: SshClientArgsOptions): string[] {
  const opt = (k: string, v: string | number) => ['-o', `${k}=${v}`];
  return [
    '-F', '/dev/null',
    '-i', o.identityFile,
    ...opt('IdentitiesOnly', 'yes'),
    ...opt('IdentityAgent', 'none'),
    ...opt('StrictHostKeyChecking', 'yes'),
    ...opt('UserKnownHostsFile', sshConfigValue(o.knownHostsFile)),
    ...opt('GlobalKnownHostsFile', '/dev/null'),
    ...opt('CheckHostIP', 'no'),
    ...opt('UpdateHostKeys', 'no'),
    ...opt('BatchMode', 'yes'),
    ...opt('PasswordAuthentication', 'no'),
    ...opt('KbdInteractiveAuthentication', 'no'),
    ...opt('PreferredAuthentications', 'publickey'),
    ...opt('ForwardAgent', 'no'),
    ...opt('ForwardX11', 'no'),
    ...opt('ClearAllForwardings', 'yes'),
    ...opt('ConnectTimeout', o.connectTimeoutSeconds ?? 20),
    ...opt('ServerAliveInterval', o.serverAliveIntervalSeconds ?? 15),
    ...opt('ServerAliveCountMax', o.serverAliveCountMax ?? 4),
    ...opt('LogLevel', 'ERROR'),
    '-p', String(o.port),
  ];
}

/** ssh splits -o values like config lines: double-quote values with spaces (\" and \\ escape). */
function sshConfigValue(v: string): string {
  return /[\s"'\\]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : v;
}

/** 'user@host' for ssh, with IPv6 addresses in brackets (rsync and scp need them). */
export function sshTarget(user: string, host: string): string {
  return host.includes(':') ? `${user}@[${host}]` : `${user}@${host}`;
}
