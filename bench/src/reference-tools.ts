import { spawn } from 'node:child_process';
import type { BenchEnv } from './bench-env';

export const CIPHERS = {
  chacha20: 'chacha20-poly1305@openssh.com',
  'aes128-gcm': 'aes128-gcm@openssh.com',
} as const;
export type CipherName = keyof typeof CIPHERS;

/** Runs a reference tool to completion (its CPU counted in env.cpu.clients); rejects with its stderr on a non-zero exit. */
export function runTool(env: BenchEnv, tool: string, toolArgs: string[], input?: string): Promise<void> {
  const [cmd, args] = env.cpu.clients.wrap(tool, toolArgs);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    if (input !== undefined) child.stdin!.end(input);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${tool} ${toolArgs.join(' ')} failed (${code ?? signal}): ${err.trim()}`));
    });
  });
}

const target = (env: BenchEnv, dir: string) => `${env.account}@127.0.0.1:${dir}/`;

/** CPU of a reference run: the client side and sshd with its sessions. */
export function referenceCpu(env: BenchEnv): { cpu(): number; cpuParts(): Record<string, number> } {
  return {
    cpu: () => env.cpu.clients.seconds() + env.cpu.sshd.seconds(),
    cpuParts: () => ({ client: env.cpu.clients.seconds(), sshd: env.cpu.sshd.seconds() }),
  };
}

/** CPU of a ferry run: core, gateways, PostgreSQL, and sshd (the rsync mechanism's server side). */
export function ferryCpu(env: BenchEnv): { cpu(): number; cpuParts(): Record<string, number> } {
  return {
    cpu: () => env.cpu.ferry.seconds() + env.cpu.sshd.seconds(),
    cpuParts: () => ({ ...Object.fromEntries(Object.entries(env.cpu.ferry.parts).map(([k, g]) => [k, g.seconds()])), sshd: env.cpu.sshd.seconds() }),
  };
}

/** OpenSSH scp (SFTP protocol, the default since OpenSSH 9.0). */
export function scp(env: BenchEnv, cipher: CipherName, src: string, dstDir: string): Promise<void> {
  return runTool(env, 'scp', ['-q', '-r', '-P', String(env.sshd.port), '-c', CIPHERS[cipher], ...env.sshOptions, src, target(env, dstDir)]);
}

/** OpenSSH sftp in batch mode: one `put` (recursive for a folder). */
export function sftpPut(env: BenchEnv, cipher: CipherName, src: string, dstDir: string): Promise<void> {
  const batch = `put -r ${quote(src)} ${quote(dstDir + '/')}\n`;
  return runTool(env, 'sftp', ['-q', '-b', '-', '-P', String(env.sshd.port), '-c', CIPHERS[cipher], ...env.sshOptions, `${env.account}@127.0.0.1`], batch);
}

/** rsync -a over ssh (the way a site would run it by hand). */
export function rsyncSsh(env: BenchEnv, cipher: CipherName, src: string, dstDir: string): Promise<void> {
  const ssh = ['ssh', '-p', String(env.sshd.port), '-c', CIPHERS[cipher], ...env.sshOptions].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  return runTool(env, 'rsync', ['-a', '-e', ssh, src, target(env, dstDir)]);
}

function quote(p: string): string {
  return `"${p.replace(/(["\\])/g, '\\$1')}"`;
}
