import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeOpensshPartials } from './openssh-partials.util';

describe('removeOpensshPartials', () => {
  const ACCOUNT = 4242; // files "the account" wrote (the test chowns them: needs root, like every OpenSSH test)
  let root: string;
  let outside: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-partials-'));
    outside = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-outside-'));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  async function file(p: string, uid = ACCOUNT): Promise<string> {
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, 'x');
    await fs.chown(p, uid, uid);
    return p;
  }

  it("removes only the account's part files changed since the key was installed, and follows no symlink", async () => {
    const since = new Date();
    await file(path.join(root, 'data', 'big.bin.ferry-part'));
    await file(path.join(root, 'data', 'deep', 'x', 'y.ferry-part'));
    await file(path.join(root, 'data', 'done.bin')); // a finished file stays
    await file(path.join(root, 'theirs.ferry-part'), 4343); // another account's
    await file(path.join(outside, 'elsewhere.ferry-part'));
    await fs.symlink(outside, path.join(root, 'link'));

    const removed = await removeOpensshPartials(root, since, ACCOUNT);
    expect(removed.sort()).toEqual(['data/big.bin.ferry-part', 'data/deep/x/y.ferry-part']);
    expect((await fs.readdir(path.join(root, 'data'))).sort()).toEqual(['deep', 'done.bin']);
    expect(await fs.readdir(root)).toEqual(expect.arrayContaining(['theirs.ferry-part', 'link']));
    expect(await fs.readdir(outside)).toEqual(['elsewhere.ferry-part']);
  });

  it('keeps part files that were there before the key was installed', async () => {
    await file(path.join(root, 'old.ferry-part'));
    const later = new Date(Date.now() + 60_000);
    expect(await removeOpensshPartials(root, later, ACCOUNT)).toEqual([]);
    expect(await fs.readdir(root)).toEqual(['old.ferry-part']);
  });

  it('finds nothing in a folder that is gone', async () => {
    expect(await removeOpensshPartials(path.join(root, 'missing'), new Date(), ACCOUNT)).toEqual([]);
  });
});
