import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort, TunnelPair, until } from './helpers/tunnel-pair.helper';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'docs', 'examples');

/** The walk-through's sender and receiver (docs/examples) really run through a tunnel. */
describe('docs/examples through a tunnel', () => {
  const pair = new TunnelPair();
  beforeAll(() => pair.start());
  afterAll(() => pair.stop());

  it('tunnel-sender.js streams frames to tunnel-receiver.js and both summaries agree', async () => {
    const port = await freePort();
    const receiver = spawn(process.execPath, [path.join(EXAMPLES, 'tunnel-receiver.js'), `--port=${port}`]);
    let receiverOut = '';
    receiver.stdout.on('data', (d) => (receiverOut += d));
    try {
      await until(() => receiverOut.includes('listening'), 'receiver listening');
      const t = await pair.open(`127.0.0.1:${port}`);
      const sender = spawn(process.execPath, [path.join(EXAMPLES, 'tunnel-sender.js'), t.listen, '--frames=20', '--frame-bytes=262144']);
      let senderOut = '';
      sender.stdout.on('data', (d) => (senderOut += d));
      const code = await new Promise((r) => sender.on('exit', r));
      expect(senderOut).toContain('sent     frames 20 bytes 5242880 sha256 ');
      expect(code).toBe(0); // the sender exits 0 only when the receiver's summary equals its own
      expect(receiverOut).toContain('received frames 20 bytes 5242880');
    } finally {
      receiver.kill();
    }
  });
});
