import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import { regularFileSizes } from './file-sizes.util';
import { verifyManifest } from './manifest-verifier';

describe('manifest verification at the destination', () => {
  let dest: string;
  let elsewhere: string;

  beforeEach(async () => {
    dest = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-verify-'));
    elsewhere = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-verify-out-'));
    const put = async (rel: string, bytes: number) => {
      await fs.mkdir(path.dirname(path.join(dest, rel)), { recursive: true });
      await fs.writeFile(path.join(dest, rel), Buffer.alloc(bytes, 1));
    };
    await put('tree/a/one.bin', 10);
    await put('tree/a/two.bin', 20);
    await put('tree/we ird\nname ü.txt', 3);
    await put('-rf', 4); // a top-level name find must not take for an option
    await put('tree/short.bin', 5);
    await fs.writeFile(path.join(elsewhere, 'via-link.bin'), Buffer.alloc(6));
    await fs.symlink(elsewhere, path.join(dest, 'tree', 'linked-dir'));
    await fs.symlink('a/one.bin', path.join(dest, 'tree', 'link-not-file'));
  });

  afterEach(async () => {
    await fs.rm(dest, { recursive: true, force: true });
    await fs.rm(elsewhere, { recursive: true, force: true });
  });

  const manifest: FileManifest = {
    verify: 'size',
    files: [
      { path: 'tree/a/one.bin', size: 10 },
      { path: 'tree/a/two.bin', size: 20 },
      { path: 'tree/we ird\nname ü.txt', size: 3 },
      { path: '-rf', size: 4 },
      { path: 'tree/short.bin', size: 6 }, // arrived shorter
      { path: 'tree/missing.bin', size: 1 },
      { path: 'tree/link-not-file', size: 9 }, // a symlink where a file should be
      { path: 'tree/linked-dir/via-link.bin', size: 6 }, // reached through a symlinked folder
      { path: '../escape', size: 1 },
    ],
  };
  const expected = [
    { path: 'tree/short.bin', expected: '6', actual: '5' },
    { path: 'tree/missing.bin', expected: '1', actual: null },
    { path: 'tree/link-not-file', expected: '9', actual: null },
    { path: '../escape', expected: '1', actual: null },
  ];

  it('reads real regular files only, by path relative to the folder, names with newlines and unicode included', async () => {
    const sizes = await regularFileSizes(dest, ['tree', '-rf']);
    expect(Object.fromEntries(sizes!)).toEqual({
      'tree/a/one.bin': 10,
      'tree/a/two.bin': 20,
      'tree/we ird\nname ü.txt': 3,
      'tree/short.bin': 5,
      '-rf': 4,
    });
    expect(await regularFileSizes(dest, ['tree'], '/nonexistent/find')).toBeNull();
  });

  it('lists every difference, the same with find as with one lstat per file', async () => {
    const withFind = await verifyManifest(dest, manifest, { findFromFiles: 0 });
    expect(withFind.ok).toBe(false);
    expect(withFind.mismatches).toEqual(expected);
    expect(withFind.message).toMatch(/^4 of 9 file\(s\) differ from the source \(size\)/);
    expect(await verifyManifest(dest, manifest, { findFromFiles: 0, findPath: '/nonexistent/find' })).toEqual(withFind);
    expect(await verifyManifest(dest, manifest)).toEqual(withFind); // a small manifest: lstat only
  });

  it('passes a tree that arrived whole', async () => {
    const good = { verify: 'size' as const, files: manifest.files.filter((f) => !expected.some((e) => e.path === f.path)) };
    expect(await verifyManifest(dest, good, { findFromFiles: 0 })).toEqual({ ok: true, message: 'verified 5 file(s) by size' });
  });
});
