import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import { liveGrant, startPair, type Pair } from './grant-fixture.util';
import { ok, openSftp, rawConnect } from './raw-client.util';

const MiB = 1024 * 1024;

/** the window the server granted this client (ssh2 keeps it on the channel; not typed) */
const windowOf = (sftp: SFTPWrapper) => (sftp as unknown as { outgoing: { window: number } }).outgoing.window;

/** Writes `data` in 256 KiB requests, all in flight at once, then waits for every answer. */
async function writeAllAtOnce(sftp: SFTPWrapper, h: Buffer, data: Buffer): Promise<void> {
  const pieces: Array<Promise<unknown>> = [];
  for (let off = 0; off < data.length; off += 256 * 1024) {
    const n = Math.min(256 * 1024, data.length - off);
    pieces.push(ok((cb) => sftp.write(h, data, off, n, off, cb)));
  }
  await Promise.all(pieces);
}

// The embedded server offers a bigger SSH channel window than ssh2's own 2 MiB, so an uploader
// with many writes in flight is not held back by window adjusts (embeddedServer.windowBytes).
describe.each([
  ['a 12 MiB window', 12 * MiB],
  ["ssh2's own 2 MiB window", 2 * MiB],
])('sftp embedded server with %s', (_name, windowBytes) => {
  let pair: Pair;
  let client: Client;
  let sftp: SFTPWrapper;
  let jailDir: string;

  beforeAll(async () => {
    pair = await startPair({ embeddedServer: { host: '127.0.0.1', port: 0, windowBytes } });
    const grant = await liveGrant(pair);
    jailDir = grant.t.destination.localPath;
    client = await rawConnect(grant.login);
    sftp = await openSftp(client);
  });

  afterAll(async () => {
    client?.end();
    await pair?.stop();
  });

  it('grants the configured window as soon as the session opens', async () => {
    // one round trip: the window adjust was sent before the answer to this; the session's first
    // requests (INIT, this REALPATH) used a few bytes of it
    await ok((cb) => sftp.realpath('.', cb));
    expect(windowOf(sftp)).toBeGreaterThan(windowBytes - 1024);
    expect(windowOf(sftp)).toBeLessThanOrEqual(windowBytes);
  });

  it('keeps the window open across more data than it holds, and stores the bytes unchanged', async () => {
    const data = randomBytes(3 * windowBytes + 12345);
    const h = await ok<Buffer>((cb) => sftp.open('/big.bin', 'w', cb));
    await writeAllAtOnce(sftp, h, data);
    await ok((cb) => sftp.close(h, cb));
    const stored = await fs.readFile(path.join(jailDir, 'big.bin'));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // after every answer arrived the sender may again send at least half the window
    await ok((cb) => sftp.realpath('.', cb));
    expect(windowOf(sftp)).toBeGreaterThanOrEqual(windowBytes / 2);
    expect(windowOf(sftp)).toBeLessThanOrEqual(windowBytes);
  });
});
