import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TransferOptions, TaskView } from '@ferry/contracts';
import { isEndState } from '@ferry/contracts';
import { startStack, type Stack, type ResearcherClient } from '../../test/harness';
import { createDatabase, startPostgres, type RunningPostgres } from '../../test/setup/postgres-server';
import { startSshd, type RunningSshd } from '../../test/setup/sshd-server';
import { CpuAccounting, type CpuGroup } from './proc-cpu.util';

/**
 * Everything the data-path scenarios share, started once per bench run:
 * - a real PostgreSQL server (the core's database);
 * - a real OpenSSH sshd (the fixture of the test suite) that the reference tools log in to, and
 *   that gateway B's rsync plugin manages one-transfer keys for;
 * - ferry: the core and gateways A and B as processes from dist/ (the e2e harness's stack), the
 *   gateways on their default embedded PGlite;
 * - a tmpfs folder holding both drives, so every tool reads and writes memory, not this machine's
 *   shared disk, and every destination folder is new.
 */
export interface BenchEnv {
  root: string;
  pg: RunningPostgres;
  coreDatabaseUrl: string;
  sshd: RunningSshd;
  sshdPid: number;
  stack: Stack;
  alice: ResearcherClient;
  /** host folders of drive a-data (source) and b-inbox (destination) */
  aData: string;
  bInbox: string;
  /** ssh options of the reference tools (key, pinned host key, batch mode) */
  sshOptions: string[];
  account: string;
  /**
   * CPU accounting groups: `ferry` = core, both gateways, PostgreSQL (and what they start, e.g. the
   * rsync mechanism's rsync and ssh); `sshd` = the OpenSSH server and its sessions; `clients` = the
   * reference tools the bench starts (scp, sftp, rsync and their ssh).
   */
  cpu: { ferry: CpuGroup & { parts: Record<string, CpuGroup> }; sshd: CpuGroup; clients: CpuGroup; exact: boolean };
  /** a new, empty folder in b-inbox that the sshd account owns */
  freshDestination(tag: string): string;
  /**
   * Creates and negotiates a transfer (untimed), triggers it and waits for the end (throws unless
   * SUCCEEDED). `seconds` runs from sending the trigger to the core's finishedAt.
   */
  transfer(src: string, dstFolder: string, options?: TransferOptions): Promise<{ task: TaskView; seconds: number }>;
  log(line: string): void;
  stop(): Promise<void>;
}

let counter = 0;

export async function startBenchEnv(log: (line: string) => void): Promise<BenchEnv> {
  const shm = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const root = fs.mkdtempSync(path.join(process.env.FERRY_BENCH_DIR ?? shm, 'ferry-bench-'));
  fs.chmodSync(root, 0o755);
  const aData = path.join(root, 'a-data');
  const bInbox = path.join(root, 'b-inbox');
  fs.mkdirSync(aData);
  fs.mkdirSync(bInbox);
  const accounting = new CpuAccounting();
  const parts = { core: accounting.group('core'), gatewayA: accounting.group('gateway-a'), gatewayB: accounting.group('gateway-b'), postgres: accounting.group('postgres') };
  const ferryGroup: CpuGroup & { parts: typeof parts } = {
    name: 'ferry',
    exact: accounting.exact,
    parts,
    adopt: () => {
      throw new Error('adopt into a part');
    },
    wrap: (cmd, args) => [cmd, args],
    seconds: () => Object.values(parts).reduce((n, g) => n + g.seconds(), 0),
  };
  const cpu = { ferry: ferryGroup, sshd: accounting.group('sshd'), clients: accounting.group('clients'), exact: accounting.exact };
  const cleanups: Array<() => Promise<void>> = [
    async () => accounting.dispose(),
    async () => fs.rmSync(root, { recursive: true, force: true }),
  ];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => log(`cleanup: ${(e as Error).message}`));
  };
  try {
    log('starting PostgreSQL');
    const pg = await startPostgres();
    cleanups.push(() => pg.stop());
    const coreDatabaseUrl = await createDatabase(pg.url, `bench_core_${Date.now().toString(36)}`);

    log('starting sshd');
    const sshd = await startSshd({ extraConfig: ['MaxStartups 100:30:200', 'MaxSessions 100'] });
    cleanups.push(() => sshd.stop());
    const sshdPid = Number(fs.readFileSync(path.join(sshd.root, 'sshd.pid'), 'utf8').trim());
    cpu.sshd.adopt(sshdPid);
    fs.chownSync(bInbox, sshd.uid, sshd.gid);

    // the reference tools' own key, next to the keys gateway B manages (it keeps foreign lines)
    const clientDir = path.join(root, 'client');
    fs.mkdirSync(clientDir, { mode: 0o700 });
    const key = path.join(clientDir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ferry-bench', '-f', key]);
    const keysFile = path.join(sshd.authorizedKeysDir, sshd.account);
    fs.writeFileSync(keysFile, fs.readFileSync(`${key}.pub`, 'utf8'), { mode: 0o640 });
    fs.chownSync(keysFile, 0, sshd.gid);
    const knownHosts = path.join(clientDir, 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const sshOptions = [
      '-i', key,
      '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'LogLevel=ERROR',
    ];

    log('starting the ferry core and two gateways');
    const rsync = {
      package: '@ferry/plugin-rsync',
      options: {
        authorizedKeysDir: sshd.authorizedKeysDir,
        sshHost: sshd.host,
        sshPort: sshd.port,
        hostPublicKeyFile: sshd.hostPublicKeyFile,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
      },
    };
    const started = Date.now();
    // FERRY_BENCH_CPU_PROF=<dir>: the core and gateways write V8 CPU profiles there when they stop
    // (NODE_OPTIONS refuses --cpu-prof, so a preload starts the profiler)
    const profDir = process.env.FERRY_BENCH_CPU_PROF;
    const savedNodeOptions = process.env.NODE_OPTIONS;
    if (profDir) {
      process.env.FERRY_CPU_PROF_DIR = path.resolve(profDir);
      process.env.NODE_OPTIONS = `${savedNodeOptions ?? ''} --require ${path.join(__dirname, '..', 'lib', 'cpu-profiler.preload.js')}`.trim();
    }
    const stackStarting = startStack({
      name: 'bench',
      database: 'pglite',
      coreEnv: { DATABASE_URL: coreDatabaseUrl, FERRY_LOG_LEVEL: 'log', FERRY_SWEEP_INTERVAL_MS: '2000' },
      customize: (world) => {
        // the harness passes the whole world (its type names only what tests usually change)
        const dirs = (world as typeof world & { driveDirs: Record<string, string> }).driveDirs;
        dirs['a-data'] = aData;
        dirs['b-inbox'] = bInbox;
        world.gateways.a.drives[0].path = aData;
        world.gateways.b.drives[0].path = bInbox;
        for (const g of [world.gateways.a, world.gateways.b]) g.plugins = [...g.plugins, rsync];
        // FERRY_BENCH_SFTP_OPTIONS='{"parallelFiles":32}': sftp plugin options to try (tuning)
        const sftpExtra = process.env.FERRY_BENCH_SFTP_OPTIONS ? (JSON.parse(process.env.FERRY_BENCH_SFTP_OPTIONS) as Record<string, unknown>) : {};
        for (const g of [world.gateways.a, world.gateways.b]) {
          for (const p of g.plugins) {
            if (p.package !== '@ferry/plugin-sftp') continue;
            const merged: Record<string, unknown> = { ...p.options };
            // one level deeper for objects, so '{"embeddedServer":{"windowBytes":N}}' keeps host and port
            for (const [k, v] of Object.entries(sftpExtra)) {
              const had = merged[k];
              const both = isPlainObject(had) && isPlainObject(v);
              merged[k] = both ? { ...had, ...v } : v;
            }
            p.options = merged;
          }
        }
        world.gateways.b.identities = world.gateways.b.identities.map((i) => (i.name === 'alice' ? { ...i, account: sshd.account } : i));
      },
    });
    const stack = await stackStarting.finally(() => {
      // only the stack's processes get it (the reference tools are not node programs anyway)
      if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = savedNodeOptions;
    });
    cleanups.push(() => stack.stop());
    log(`  stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    parts.core.adopt(stack.core.pid!);
    parts.gatewayA.adopt(stack.gatewayA.pid!);
    parts.gatewayB.adopt(stack.gatewayB.pid!);
    parts.postgres.adopt(pg.pid);
    if (!cpu.exact) log('  (no writable cpuacct cgroup: CPU figures are /proc sums and may miss short-lived processes)');
    const alice = stack.researcher('alice');
    // the core fetches the gateways' keys at the first negotiation; they do not change during a
    // run, so the researcher reads them once (not once per transfer)
    await alice.create('a-data:/', 'b-inbox:/');
    const trusted = await alice.trustedKeys();
    if (Object.values(trusted).some((k) => !k.signPublicKey)) throw new Error('the core does not know the gateways\' keys');
    alice.trustedKeys = async () => trusted;

    const env: BenchEnv = {
      root,
      pg,
      coreDatabaseUrl,
      sshd,
      sshdPid,
      stack,
      alice,
      aData,
      bInbox,
      sshOptions,
      account: sshd.account,
      cpu,
      freshDestination(tag: string) {
        const dir = path.join(bInbox, `${tag}-${++counter}`);
        fs.mkdirSync(dir);
        fs.chownSync(dir, sshd.uid, sshd.gid);
        return dir;
      },
      async transfer(src, dstFolder, options = {}) {
        const rel = path.relative(bInbox, dstFolder);
        const p = await alice.prepare(`a-data:/${src}`, `b-inbox:/${rel}`, options);
        const t0 = Date.now();
        await alice.api.trigger(p.transfer.id, p.request);
        const done = await waitEnd(alice, p.transfer.id);
        if (done.state !== 'SUCCEEDED') throw new Error(`transfer ${p.transfer.id} ended ${done.state}: ${JSON.stringify(done.error)}`);
        return { task: done, seconds: (Date.parse(done.finishedAt!) - t0) / 1000 };
      },
      log,
      stop: stopAll,
    };
    return env;
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Polls the task; the duration comes from its finishedAt, so a slow poll costs no accuracy. */
async function waitEnd(alice: ResearcherClient, id: string, timeoutMs = 900_000): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await alice.api.task(id);
    if (isEndState(t.state)) return t;
    if (Date.now() > deadline) throw new Error(`task ${id} did not end in ${timeoutMs} ms: ${JSON.stringify(t)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
