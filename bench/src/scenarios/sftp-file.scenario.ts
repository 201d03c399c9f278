import * as fs from 'node:fs';
import * as path from 'node:path';
import { warm, writeRandomFile } from '../bench-data.util';
import type { BenchEnv } from '../bench-env';
import { ratioTarget, ratiosOf, runRounds, type Contender } from '../measure';
import { currentRssBytes, peakRssBytes, resetPeakRss } from '../proc-cpu.util';
import { CIPHERS, ferryCpu, referenceCpu, scp, sftpPut, type CipherName } from '../reference-tools';
import type { Scenario } from '../scenario';

const MiB = 1024 * 1024;

/**
 * One big random file through ferry's sftp mechanism (gateway A's uploader -> gateway B's embedded
 * SSH server, two processes) against OpenSSH scp and sftp into the sshd fixture, with both ciphers
 * (OpenSSH's default chacha20-poly1305 and aes128-gcm). Also records the gateways' peak RSS during
 * ferry's runs for the memory scenario.
 */
export const sftpFileScenario: Scenario = {
  id: 'sftp-file',
  title: 'one 1 GiB file, sftp mechanism',
  async run(ctx) {
    const env = await ctx.env();
    const size = ctx.quick ? 32 * MiB : 1024 * MiB;
    const name = 'big.bin';
    const src = path.join(env.aData, name);
    if (!fs.existsSync(src) || fs.statSync(src).size !== size) writeRandomFile(src, size);
    const rss = { a: [] as number[], b: [] as number[], idleA: [] as number[], idleB: [] as number[] };
    let dst = '';
    const check = () => {
      const got = fs.statSync(path.join(dst, name)).size;
      if (got !== size) throw new Error(`${dst}/${name} has ${got} bytes, expected ${size}`);
      fs.rmSync(dst, { recursive: true, force: true });
    };
    const fresh = async (tag: string) => {
      dst = env.freshDestination(tag);
      warm(src);
    };
    const ferry: Contender = {
      name: 'ferry sftp',
      ferry: true,
      prepare: async () => {
        await fresh('sftp-file-ferry');
        resetPeakRss(env.stack.gatewayA.pid!);
        resetPeakRss(env.stack.gatewayB.pid!);
        rss.idleA.push(currentRssBytes(env.stack.gatewayA.pid!));
        rss.idleB.push(currentRssBytes(env.stack.gatewayB.pid!));
      },
      run: async () => (await env.transfer(name, dst, { mechanism: 'sftp' })).seconds,
      cleanup: async () => {
        rss.a.push(peakRssBytes(env.stack.gatewayA.pid!));
        rss.b.push(peakRssBytes(env.stack.gatewayB.pid!));
        check();
      },
      ...ferryCpu(env),
    };
    const ref = (tool: 'scp' | 'sftp', cipher: CipherName): Contender => ({
      name: `${tool} (${cipher})`,
      ferry: false,
      prepare: () => fresh(`sftp-file-${tool}`),
      run: () => (tool === 'scp' ? scp(env, cipher, src, dst) : sftpPut(env, cipher, src, dst)),
      cleanup: async () => check(),
      ...referenceCpu(env),
    });
    const contenders = [ferry, ref('scp', 'chacha20'), ref('scp', 'aes128-gcm'), ref('sftp', 'chacha20'), ref('sftp', 'aes128-gcm')];
    const results = await runRounds(contenders, { rounds: ctx.rounds, value: (s) => size / 1e6 / s, log: ctx.log });
    ctx.shared.gatewayRss = { bytes: size, ...rss };
    return {
      id: this.id,
      title: ctx.quick ? `one ${size / MiB} MiB file, sftp mechanism (quick)` : this.title,
      unit: 'MB/s',
      higherIsBetter: true,
      contenders: results,
      ratios: ratiosOf(results),
      targets: [ratioTarget(results, 'scp', '>=', 1.0, true), ratioTarget(results, 'sftp', '>=', 1.0, true)],
      notes: [
        'ferry: trigger sent -> task SUCCEEDED (includes SSH login, rename, and finalize verification at B); CPU = core + both gateways + PostgreSQL.',
        `references: OpenSSH ${'scp/sftp'} into the sshd fixture; CPU = the client and sshd with its sessions. Ciphers: ${Object.values(CIPHERS).join(', ')}.`,
      ],
      details: { bytes: size },
    };
  },
};

export type { BenchEnv };
