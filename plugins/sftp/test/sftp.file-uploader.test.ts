import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'ssh2';
import { uploadFile, type FileUploadOptions } from '../src/source/file-uploader';
import { SftpClient } from '../src/source/sftp-client';
import { WriteBudget } from '../src/source/write-budget';
import { liveGrant, startPair, type Pair } from './grant-fixture.util';
import { openSftp, rawConnect } from './raw-client.util';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// One file through the uploader's pipelined writes (one reused read buffer, several WRITEs in
// flight, a shared budget): it must arrive byte for byte, and a file that shrinks under it must
// fail cleanly, without a stray rejection.
describe('sftp file uploader against the embedded server', () => {
  let pair: Pair;
  let client: Client;
  let sftp: SftpClient;
  let jailDir: string;
  let srcDir: string;

  beforeAll(async () => {
    pair = await startPair();
    const grant = await liveGrant(pair);
    jailDir = grant.t.destination.localPath;
    srcDir = path.join(pair.source.driveRoot, 'uploader');
    await fs.mkdir(srcDir, { recursive: true });
    client = await rawConnect(grant.login);
    sftp = new SftpClient(await openSftp(client));
  });

  afterAll(async () => {
    client?.end();
    await pair?.stop();
  });

  const options = (over: Partial<FileUploadOptions> = {}): FileUploadOptions & { acked: number } => {
    const o = {
      chunkSize: 4096,
      requestsInFlight: 3,
      resumeWindow: 3 * 4096,
      checksum: true,
      trustPartials: false,
      signal: new AbortController().signal,
      budget: new WriteBudget(3 * 4096),
      acked: 0,
      onBytes: (n: number) => void (o.acked += n),
      ...over,
    };
    return o;
  };

  const scanned = async (name: string, size?: number) => {
    const abs = path.join(srcDir, name);
    const st = await fs.stat(abs);
    return { rel: name, abs, size: size ?? st.size, mtimeSec: Math.floor(st.mtimeMs / 1000), atimeSec: Math.floor(st.atimeMs / 1000) };
  };

  it.each([
    ['many chunks and a partial last one', 25 * 4096 + 77],
    ['exactly two chunks', 2 * 4096],
    ['one chunk', 4096],
    ['less than a chunk', 100],
  ])('sends %s byte for byte, with its checksum', async (_name, size) => {
    const data = randomBytes(size);
    const name = `f-${size}.bin`;
    await fs.writeFile(path.join(srcDir, name), data);
    const o = options();
    const result = await uploadFile(sftp, await scanned(name), `/${name}`, {}, o);
    expect(result).toMatchObject({ sent: size, skipped: false, resumedFrom: 0, sha256: sha(data) });
    expect(o.acked).toBe(size);
    expect(sha(await fs.readFile(path.join(jailDir, name)))).toBe(sha(data));
  });

  it('fails with a clear error, and leaves no read behind, when the file is shorter than scanned', async () => {
    const name = 'shrunk.bin';
    await fs.writeFile(path.join(srcDir, name), randomBytes(10 * 4096 + 5));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      // the listing said 20 chunks; only 10 and a bit are there
      await expect(uploadFile(sftp, await scanned(name, 20 * 4096), `/${name}`, {}, options())).rejects.toMatchObject({
        code: 'REMOTE_ERROR',
        message: expect.stringContaining('shrank'),
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    // nothing was renamed into place
    await expect(fs.stat(path.join(jailDir, name))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
