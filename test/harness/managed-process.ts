import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
/**
 * One folder per test process (jest runs files in band, so one per `npm test`): two runs on one
 * machine never write into each other's logs. test-artifacts/logs/latest points at the newest.
 */
export const LOG_DIR = path.join(ARTIFACTS_DIR, 'logs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);

function linkLatest(): void {
  const latest = path.join(ARTIFACTS_DIR, 'logs', 'latest');
  try {
    fs.rmSync(latest, { force: true });
    fs.symlinkSync(path.basename(LOG_DIR), latest);
  } catch {
    /* a concurrent run won the race: fine */
  }
}

export interface ProcessSpec {
  /** short name used in the log file and messages, e.g. 'core', 'provider-a' */
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** resolves once the process serves; polled after every (re)start */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** a tag to keep log files of different suites apart */
  logTag: string;
}

/**
 * One child process of the stack (a core or a gateway running compiled dist/), with its output
 * appended to test-artifacts/logs/<run>/<tag>-<name>.log so a failing run can be read afterwards.
 * kill() simulates a crash (SIGKILL by default); restart() starts it again with the same config
 * and state folder, which is how the suite checks recovery.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly logFile: string;
  private lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(private spec: ProcessSpec) {
    if (!fs.existsSync(LOG_DIR)) {
      fs.mkdirSync(LOG_DIR, { recursive: true });
      linkLatest();
    }
    this.logFile = path.join(LOG_DIR, `${spec.logTag}-${spec.name}.log`);
    fs.writeFileSync(this.logFile, '');
  }

  get name(): string {
    return this.spec.name;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n===== start ${this.name} at ${new Date().toISOString()} =====\n`);
    const child = spawn(process.execPath, this.spec.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.spec.env, ...extraEnv },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.lastExit = null;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        resolve();
      }),
    );
    await this.waitReady();
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (this.lastExit) {
        throw new Error(`${this.name} exited during start-up (${JSON.stringify(this.lastExit)}):\n${this.tail(40)}`);
      }
      if (await this.spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.name} did not become ready in time:\n${this.tail(40)}`);
  }

  /** Sends a signal (SIGKILL: a crash) and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** Graceful stop: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 8000): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.stop();
    await this.start(extraEnv);
  }

  /** Changes env for later (re)starts, e.g. a short trigger deadline. */
  setEnv(env: NodeJS.ProcessEnv): void {
    this.spec = { ...this.spec, env: { ...this.spec.env, ...env } };
  }

  log(): string {
    return fs.readFileSync(this.logFile, 'utf8');
  }

  tail(lines: number): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }
}
