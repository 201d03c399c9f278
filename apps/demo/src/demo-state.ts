import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomToken } from '@ferry/crypto';
import { writeSecretFile } from '@ferry/crypto/node';

/** What the demo keeps between runs so a restart finds the same tokens, keys, SSH ports and tunnel data port. */
export interface DemoState {
  tokens: { alice: string; bob: string };
  sftpPorts: { a: number; b: number };
  /** B's stream-tunnel TLS data port (peers are told it, so it stays the same) */
  tunnelDataPort: number;
}

export async function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Loads .ferry/demo/state.json (0600: it holds tokens), filling in whatever is missing. */
export async function loadOrCreateDemoState(demoDir: string, avoid: number[]): Promise<DemoState> {
  const file = path.join(demoDir, 'state.json');
  let state: Partial<DemoState> = {};
  try {
    state = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<DemoState>;
  } catch {
    /* first run */
  }
  const tokens = { alice: state.tokens?.alice || randomToken(), bob: state.tokens?.bob || randomToken() };
  const pick = async (previous: number | undefined, taken: number[]) => {
    if (previous && !taken.includes(previous) && (await portFree(previous))) return previous;
    let p: number;
    do p = await freePort();
    while (taken.includes(p));
    return p;
  };
  const a = await pick(state.sftpPorts?.a, avoid);
  const b = await pick(state.sftpPorts?.b, [...avoid, a]);
  const tunnelDataPort = await pick(state.tunnelDataPort, [...avoid, a, b]);
  const next: DemoState = { tokens, sftpPorts: { a, b }, tunnelDataPort };
  await writeSecretFile(file, JSON.stringify(next, null, 2) + '\n');
  return next;
}
