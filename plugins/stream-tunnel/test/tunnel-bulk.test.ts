import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { connect, listen, TunnelPair, until } from './helpers/tunnel-pair.helper';

const MiB = 1024 * 1024;

/** Volume: 1 GiB intact end to end. */
describe('stream tunnel under load', () => {
  const pair = new TunnelPair();
  beforeAll(() => pair.start());
  afterAll(() => pair.stop());

  it('streams 1 GiB one way with the same sha256 at the other end', async () => {
    let resolveReceived!: (v: { sha: string; bytes: number }) => void;
    const received = new Promise<{ sha: string; bytes: number }>((r) => (resolveReceived = r));
    const server = net.createServer((sock) => {
      const h = crypto.createHash('sha256');
      let bytes = 0;
      sock.on('data', (d) => {
        h.update(d);
        bytes += d.length;
      });
      sock.on('end', () => {
        resolveReceived({ sha: h.digest('hex'), bytes });
        sock.end();
        server.close();
      });
    });
    const t = await pair.open(`127.0.0.1:${await listen(server)}`);

    const s = await connect(t.port);
    const sent = crypto.createHash('sha256');
    const total = 1024 * MiB;
    // pseudo-random content (a counter mixed in) so a dropped or repeated chunk changes the hash
    const block = crypto.randomBytes(MiB);
    for (let i = 0; i < total / MiB; i++) {
      block.writeUInt32BE(i, 0);
      const chunk = Buffer.from(block);
      sent.update(chunk);
      if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
    }
    s.end();
    const got = await received;
    expect(got.bytes).toBe(total);
    expect(got.sha).toBe(sent.digest('hex'));
    await until(() => t.ha.figures.bytesAtoB === total, 'A byte counter');
  });
});
