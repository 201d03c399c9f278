import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { writeRandomFile } from '@ferry/plugin-sdk/testing';
import { startPair, type Pair } from './grant-fixture.util';

const run = promisify(execFile);

// A real full disk: the destination folder is a 1 MiB tmpfs. Mounting needs root (CI runs as
// root); without it this test fails with the reason rather than pretending.
describe('sftp on a full destination disk', () => {
  let pair: Pair;
  let mountPoint = '';

  beforeAll(async () => {
    pair = await startPair();
    mountPoint = path.join(pair.destination.driveRoot, 'tiny');
    await fs.mkdir(mountPoint, { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    } catch (e) {
      mountPoint = '';
      throw new Error(`this test needs root to mount a 1 MiB tmpfs (mount -t tmpfs -o size=1m): ${(e as Error).message}`);
    }
    await writeRandomFile(path.join(pair.source.driveRoot, 'huge', 'four.bin'), 4 * 1024 * 1024);
  });

  afterAll(async () => {
    if (mountPoint) await run('umount', ['-l', mountPoint]).catch(() => undefined);
    await pair?.stop();
  });

  it('fails the transfer with DISK_FULL and leaves no partial file behind', async () => {
    const t = await pair.transfer({ sourcePath: 'huge', destinationPath: 'tiny' });
    await t.run();
    expect(t.source.record.completions).toEqual([]);
    expect(t.source.record.failures.map((f) => f.code)).toEqual(['DISK_FULL']);
    expect(t.source.record.failures[0].message).toMatch(/disk is full/);
    await t.finalize('failed');
    // the folder the transfer created stays (it is empty); the partial file is gone
    expect(await fs.readdir(path.join(mountPoint, 'huge'))).toEqual([]);
  });
});
