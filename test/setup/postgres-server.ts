import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A throwaway real PostgreSQL server for tests: initdb as the `postgres` user (initdb refuses root)
 * in a fresh temp folder, listening on a free loopback port, fsync off. stop() removes everything.
 */
export interface RunningPostgres {
  url: string; // postgres://postgres@127.0.0.1:PORT/postgres
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
  /** restart on the same port and data (for reconnection tests), down for at least `downMs` */
  restart(downMs?: number): Promise<void>;
}

export function findPgBin(): string {
  const base = '/usr/lib/postgresql';
  const v = fs
    .readdirSync(base)
    .filter((d) => fs.existsSync(`${base}/${d}/bin/initdb`))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (npm test installs them)');
  return `${base}/${v}/bin`;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function runAsPostgres(cmd: string, args: string[]) {
  if (asRoot()) return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  return execFileSync(cmd, args, { stdio: 'pipe' });
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = findPgBin();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-pg-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  if (asRoot()) execFileSync('chown', ['postgres:postgres', root]);
  runAsPostgres(`${bin}/initdb`, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  let child: ChildProcess;
  const launch = async () => {
    const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', root, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'];
    child = asRoot()
      ? spawn('runuser', ['-u', 'postgres', '--', `${bin}/postgres`, ...args], { stdio: 'ignore', detached: true })
      : spawn(`${bin}/postgres`, args, { stdio: 'ignore', detached: true });
    child.unref();
    await waitForPort(port, 30_000);
    // accepting TCP is not the same as accepting queries: wait for pg_isready
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync(`${bin}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error('PostgreSQL did not become ready');
  };
  await launch();
  const pgCtl = (mode: string) => runAsPostgres(`${bin}/pg_ctl`, ['-D', dataDir, '-m', 'fast', '-w', mode]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    get pid() {
      return child.pid ?? -1;
    },
    async stop() {
      try {
        pgCtl('stop');
      } catch {
        /* already down */
      }
      fs.rmSync(root, { recursive: true, force: true });
    },
    async restart(downMs = 0) {
      pgCtl('stop');
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}

/** Creates a fresh database on the server and returns its URL (one per test file keeps them independent). */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  return serverUrl.replace(/\/[^/]*$/, `/${name}`);
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
}
