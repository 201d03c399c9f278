import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { connect, echoServer, roundTrip, TunnelPair, until } from './helpers/tunnel-pair.helper';

const run = promisify(execFile);

/** Unchanged applications over plain TCP through a tunnel: psql, HTTP, many echo clients, half-close. */
describe('stream tunnel carries real applications', () => {
  const pair = new TunnelPair();
  let echo: { port: number; server: net.Server };

  beforeAll(async () => {
    await pair.start();
    echo = await echoServer();
  });
  afterAll(async () => {
    echo.server.close();
    await pair.stop();
  });

  it('psql reaches the real PostgreSQL server through the tunnel and gets rows', async () => {
    const pg = new URL(process.env.FERRY_TEST_PG_URL!);
    const t = await pair.open(`127.0.0.1:${pg.port}`);
    const { stdout } = await run('psql', [
      `postgresql://postgres@127.0.0.1:${t.port}/postgres`,
      '-Atc',
      "select n, md5(n::text) from generate_series(1, 500) as n where n % 100 = 0",
    ]);
    const rows = stdout.trim().split('\n');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toBe(`100|${crypto.createHash('md5').update('100').digest('hex')}`);
    await until(() => t.ha.figures.connectionsOpen === 0 && t.ha.figures.connectionsTotal >= 1, 'psql connection closed at A');
    expect(t.ha.figures.bytesAtoB).toBeGreaterThan(0);
    expect(t.ha.figures.bytesBtoA).toBeGreaterThan(0);
    expect(t.ha.eventsOf('connection-closed').length).toBeGreaterThanOrEqual(1);
    expect(t.hb.eventsOf('connection-opened')[0].message).toContain(`127.0.0.1:${pg.port}`);
  });

  it('an HTTP client and server talk through the tunnel, keep-alive included', async () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, body })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const t = await pair.open(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await fetchVia(agent, t.port, `/item/${i}`, `payload ${i}`);
        expect(JSON.parse(reply)).toEqual({ method: 'POST', url: `/item/${i}`, body: `payload ${i}` });
      }
      // three requests, one kept-alive connection through the tunnel
      expect(t.ha.figures.connectionsTotal).toBe(1);
    } finally {
      agent.destroy();
      server.close();
    }
  });

  it('200 concurrent connections each echo their own data', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`);
    const payloads = Array.from({ length: 200 }, (_, i) => crypto.randomBytes(8192 + i * 97));
    const replies = await Promise.all(payloads.map((p) => roundTrip(t.port, p)));
    replies.forEach((r, i) => expect(r.equals(payloads[i])).toBe(true));
    await until(() => t.ha.figures.connectionsOpen === 0, 'all connections closed');
    expect(t.ha.figures.connectionsTotal).toBe(200);
    const total = payloads.reduce((n, p) => n + p.length, 0);
    await until(() => t.hb.figures.bytesBtoA === total, 'B figures');
    expect(t.ha.figures.bytesAtoB).toBe(total);
  });

  it('half-close: the client ends its side and still receives the reply', async () => {
    // a server that answers only after the client has finished sending (like `nc -q`, or sort)
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d));
      s.on('end', () => setTimeout(() => s.end(Buffer.concat(parts).toString().split('\n').sort().join('\n')), 50));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const t = await pair.open(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    const s = await connect(t.port);
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    const ended = new Promise<void>((r) => s.on('end', () => r()));
    s.end('pear\napple\nfig');
    await ended;
    expect(Buffer.concat(got).toString()).toBe('apple\nfig\npear');
    server.close();
  });
});

function fetchVia(agent: http.Agent, port: number, url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, method: 'POST', agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}
