import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { summarize, target, type ContenderResult, type Target } from '../measure';
import type { Scenario } from '../scenario';

const MB = 1e6;

/**
 * Runs bench/globus-poller.js --in-gateway (a real gateway booted in the poller's process, and the
 * Globus plugin following N transfers in it) and reads its RSS line.
 */
function globusPollerRss(n: number, windowSeconds: number, log: (l: string) => void): Promise<{ before: number; max: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'globus-poller.js'), String(n), String(windowSeconds), '--in-gateway'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const m = /RSS: ([\d.]+) MiB before submitting, max ([\d.]+) MiB/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`globus-poller.js failed (${code}):\n${out.slice(-2000)}`));
      for (const line of out.trim().split('\n')) log(`    ${line}`);
      resolve({ before: Number(m[1]) * 1024 * 1024, max: Number(m[2]) * 1024 * 1024 });
    });
  });
}

/**
 * Peak RSS of the gateways while moving the big file (VmHWM, reset before each ferry run of the
 * sftp-file scenario, so the peak is the transfer's), and of a gateway whose Globus plugin follows
 * 1,000 transfers with one poller (bench/globus-poller.js --in-gateway, its process's RSS).
 */
export const memoryScenario: Scenario = {
  id: 'gateway-rss',
  title: 'gateway peak RSS while moving 1 GiB; while following 1,000 Globus tasks',
  async run(ctx) {
    const rss = ctx.shared.gatewayRss as { bytes: number; a: number[]; b: number[]; idleA: number[]; idleB: number[] } | undefined;
    if (!rss) throw new Error('run the sftp-file scenario first (it records the gateways\' RSS)');
    const n = ctx.quick ? 50 : 1000;
    const g = await globusPollerRss(n, ctx.quick ? 2 : 20, ctx.log);
    const c = (name: string, values: number[]): ContenderResult => ({ name, ferry: true, values, value: summarize(values), wallSeconds: summarize([]), cpuSeconds: summarize([]) });
    const contenders = [
      c(`source gateway (A), ${Math.round(rss.bytes / 1024 / 1024)} MiB via sftp`, rss.a.map((x) => x / MB)),
      c(`destination gateway (B), ${Math.round(rss.bytes / 1024 / 1024)} MiB via sftp`, rss.b.map((x) => x / MB)),
      c(`gateway with the Globus plugin following ${n} transfers`, [g.max / MB]),
    ];
    const targets: Target[] = contenders.map((x) => target(`${x.name}: peak MB`, '<=', 200, x.value.max, { ferry: x.value.max }));
    return {
      id: this.id,
      title: this.title,
      unit: 'MB peak RSS',
      higherIsBetter: false,
      contenders,
      ratios: [],
      targets,
      notes: [
        `Gateways: VmHWM of the gateway process (Nest, embedded PGlite, the plugins), reset just before each ferry run; RSS just before the runs (median): A ${(summarize(rss.idleA).median / MB).toFixed(0)} MB, B ${(summarize(rss.idleB).median / MB).toFixed(0)} MB.`,
        `Globus: a real gateway (Nest, embedded PGlite, the sftp plugin) booted in the process of bench/globus-poller.js --in-gateway, whose Globus plugin instances follow the transfers (the source and the destination instance, which production puts in two gateways): RSS ${(g.before / MB).toFixed(0)} MB before submitting.`,
      ],
      details: { globusTransfers: n },
    };
  },
};
