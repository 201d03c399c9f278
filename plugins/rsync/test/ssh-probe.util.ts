import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sshClientArgs, sshTarget, writeSshClientFiles } from '@ferry/openssh';
import { parseDestinationPeer } from '@ferry/plugin-rsync';

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program (ssh or rsync) with the transfer's own key and pinned host key, the way the
 * source would; returns its exit code and output. `build` gets the ssh argument list and the
 * target 'user@host'.
 */
export async function withTransferKey(
  forPeer: Record<string, unknown>,
  privateKey: string,
  build: (ssh: string[], target: string) => { cmd: string; args: string[] },
): Promise<SshResult> {
  const peer = parseDestinationPeer(forPeer);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-probe-'));
  const files = await writeSshClientFiles(path.join(dir, 'c'), { privateKey, host: peer.host, port: peer.port, hostPublicKey: peer.hostPublicKey });
  try {
    const ssh = ['ssh', ...sshClientArgs({ identityFile: files.identityFile, knownHostsFile: files.knownHostsFile, port: peer.port })];
    const { cmd, args } = build(ssh, sshTarget(peer.user, peer.host));
    return await new Promise((resolve) =>
      execFile(cmd, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * True when sshd accepts the transfer key (whatever the forced command then says), false when it
 * refuses it. Anything else (sshd down, host key mismatch) is an error: the probe must not mistake
 * a broken test for a revoked key.
 */
export async function probeGrant(forPeer: Record<string, unknown>, privateKey: string | undefined): Promise<boolean> {
  if (!privateKey) throw new Error('no source key in the secrets snapshot');
  const r = await withTransferKey(forPeer, privateKey, (ssh, target) => ({ cmd: ssh[0], args: [...ssh.slice(1), target, 'probe'] }));
  if (r.code !== 255) return true;
  if (/Permission denied/.test(r.stderr)) return false;
  throw new Error(`ssh probe failed for another reason: ${r.stderr.trim()}`);
}
