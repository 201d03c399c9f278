import * as net from 'node:net';
import { connect, listen, TunnelPair } from './helpers/tunnel-pair.helper';

const MiB = 1024 * 1024;

/**
 * Memory, not timing: a fast writer at A into a reader at B that reads slowly. With backpressure on
 * every hop the gateways hold a few buffers; without it they would hold most of the 500 MiB.
 * In its own file (own jest worker) so the baseline RSS is not inflated by another test's garbage.
 */
describe('stream tunnel backpressure', () => {
  const pair = new TunnelPair();
  beforeAll(() => pair.start());
  afterAll(() => pair.stop());

  it('a fast writer into a slow reader: RSS stays bounded (backpressure end to end)', async () => {
    const total = 500 * MiB;
    let readerGot = 0;
    let resolveDone!: () => void;
    const readerDone = new Promise<void>((r) => (resolveDone = r));
    const server = net.createServer((sock) => {
      // reads a chunk, then pauses a little: far slower than the writer and the tunnel
      sock.on('data', (d) => {
        readerGot += d.length;
        sock.pause();
        setTimeout(() => sock.resume(), 1);
      });
      sock.on('end', () => {
        sock.end();
        server.close();
        resolveDone();
      });
    });
    const t = await pair.open(`127.0.0.1:${await listen(server)}`);

    if (global.gc) global.gc();
    const base = process.memoryUsage().rss;
    let peak = base;
    const boundMiB = 150;
    let resolveOverflow!: () => void;
    const overflow = new Promise<void>((r) => (resolveOverflow = r));
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      if ((peak - base) / MiB > boundMiB) resolveOverflow(); // stop early: the bound is already broken
    }, 20);

    const s = await connect(t.port);
    const chunk = Buffer.alloc(MiB, 7);
    // the writer itself respects backpressure; what we measure is the gateways' buffering
    const write = async () => {
      for (let sent = 0; sent < total && !s.destroyed; sent += MiB) {
        if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
      }
      s.end();
    };
    void write();
    await Promise.race([readerDone, overflow]);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMiB = (peak - base) / MiB;
    // eslint-disable-next-line no-console
    console.log(`slow reader: RSS growth ${growthMiB.toFixed(1)} MiB while 500 MiB went through`);
    s.destroy();
    // without backpressure the gateways would hold most of the 500 MiB; with it, a few MiB
    expect(growthMiB).toBeLessThan(boundMiB);
    expect(readerGot).toBe(total);
  });
});
