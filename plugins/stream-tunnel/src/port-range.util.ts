import * as net from 'node:net';

export interface PortRange {
  low: number;
  high: number;
}

/** "40000-40099" or "40000" → {low, high}; throws on anything else. */
export function parsePortRange(text: string): PortRange {
  const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  if (!m) throw new Error(`bad port range '${text}'`);
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  if (low < 1 || high > 65535 || low > high) throw new Error(`bad port range '${text}'`);
  return { low, high };
}

/** Listen on exactly this port; rejects with the socket error (e.g. EADDRINUSE). */
export function listenOn(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.removeListener('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/**
 * Take the first free port of the range, starting at a random offset so that tunnels opened
 * at the same moment by several gateways on one host rarely race for the same port.
 * `skip` holds ports this process already uses. Resolves with the port, or null when every port is taken.
 */
export async function listenInRange(server: net.Server, host: string, range: PortRange, skip: ReadonlySet<number>): Promise<number | null> {
  const size = range.high - range.low + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.low + ((start + i) % size);
    if (skip.has(port)) continue;
    try {
      await listenOn(server, host, port);
      return port;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
    }
  }
  return null;
}
