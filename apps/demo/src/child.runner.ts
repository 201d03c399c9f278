import { ChildProcess, spawn } from 'node:child_process';
import * as readline from 'node:readline';

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m'];
let nextColor = 0;

/**
 * A service the demo runs as a child process, its output line by line with a "[name]" prefix so three
 * logs can share one terminal. stop() asks politely (SIGTERM) and insists after a grace period.
 */
export class ChildRunner {
  private child: ChildProcess | null = null;
  private readonly prefix: string;
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
  ) {
    const color = process.stdout.isTTY ? COLORS[nextColor++ % COLORS.length] : '';
    this.prefix = `${color}[${name}]${color ? '\x1b[0m' : ''} `;
  }

  start(): void {
    const child = spawn(process.execPath, this.args, { cwd: this.cwd, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream! }).on('line', (line) => process.stdout.write(this.prefix + line + '\n'));
    }
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit?.(this.name, code, signal);
    });
    this.child = child;
  }

  get exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(graceMs = 8000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || this.exited) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }
}

/** Polls `url` until it answers with a status accepted by `ok`, or throws after timeoutMs. */
export async function waitForHttp(url: string, ok: (status: number) => boolean, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the process behind ${url} exited while starting (see its log above)`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (ok(res.status)) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}
