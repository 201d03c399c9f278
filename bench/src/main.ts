import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBenchEnv, type BenchEnv } from './bench-env';
import { formatScenario, summaryTable } from './format.util';
import type { ScenarioResult } from './measure';
import type { BenchContext, Scenario } from './scenario';
import { negotiationScenario, progressIngestScenario, taskListScenario } from './scenarios/control-plane.scenarios';
import { memoryScenario } from './scenarios/memory.scenario';
import { sftpFileScenario } from './scenarios/sftp-file.scenario';
import { resyncScenario, rsyncTreeScenario, sftpTreeScenario } from './scenarios/tree.scenarios';
import { tunnelScenarios } from './scenarios/tunnel.scenarios';

/** In the order they run (memory reads what sftp-file recorded). */
export const SCENARIOS: Scenario[] = [
  sftpFileScenario,
  sftpTreeScenario,
  rsyncTreeScenario,
  resyncScenario,
  ...tunnelScenarios,
  negotiationScenario,
  progressIngestScenario,
  taskListScenario,
  memoryScenario,
];

export interface BenchArgs {
  quick: boolean;
  json: boolean;
  rounds?: number;
  only?: string[];
  out?: string;
}

function tool(cmd: string, args: string[]): string {
  // `ssh -V` answers on stderr
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0].replace(/\s+/g, ' ') || 'unknown';
}

export function machine(): Record<string, unknown> {
  const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const flags = /^flags\s*:\s*(.*)$/m.exec(cpu)?.[1].split(' ') ?? [];
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    aesInstructions: flags.includes('aes'),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    openssh: tool('ssh', ['-V']),
    rsync: tool('rsync', ['--version']),
    loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export async function main(args: BenchArgs): Promise<ScenarioResult[]> {
  // progress goes to stderr so that --json keeps stdout for the one JSON document
  const log = (line: string) => process.stderr.write(line + '\n');
  let env: BenchEnv | null = null;
  let starting: Promise<BenchEnv> | null = null;
  const ctx: BenchContext = {
    quick: args.quick,
    rounds: args.rounds ?? (args.quick ? 1 : 5),
    env: () => (starting ??= startBenchEnv(log).then((e) => (env = e))),
    log,
    shared: {},
  };
  const selected = args.only ? SCENARIOS.filter((s) => args.only!.includes(s.id)) : SCENARIOS;
  const results: ScenarioResult[] = [];
  const started = new Date();
  const info = machine();
  const onSignal = () => void env?.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const s of selected) {
      log(`\n== ${s.title} ==`);
      const t0 = Date.now();
      const r = await s.run(ctx).catch((e: unknown) => {
        // what the stack's processes said last, so a failure far from here (CI) can be read
        const stack = (env as BenchEnv | null)?.stack;
        if (stack) {
          for (const p of [stack.core, stack.gatewayA, stack.gatewayB]) log(`\n-- last lines of ${p.logFile} --\n${p.tail(40)}`);
        }
        throw e;
      });
      results.push(r);
      log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      log(formatScenario(r));
    }
  } finally {
    await (env as BenchEnv | null)?.stop();
  }
  // runs of some scenarios or tools only are marked, so report.js never takes one for a full run
  const partial = !!args.only || !!process.env.FERRY_BENCH_CONTENDERS || !!process.env.FERRY_BENCH_SFTP_OPTIONS;
  const doc = { date: started.toISOString(), quick: args.quick, partial, rounds: ctx.rounds, machine: info, seconds: (Date.now() - started.getTime()) / 1000, scenarios: results };
  const outDir = path.join(__dirname, '..', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const suffix = `${args.quick ? '-quick' : ''}${partial ? '-partial' : ''}`;
  const file = args.out ?? path.join(outDir, `${started.toISOString().slice(0, 19).replace(/:/g, '-')}${suffix}.json`);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  log(`\n== summary ==\n${summaryTable(results)}\n\nresults written to ${path.relative(process.cwd(), file)}`);
  if (args.json) process.stdout.write(JSON.stringify(doc) + '\n');
  return results;
}
