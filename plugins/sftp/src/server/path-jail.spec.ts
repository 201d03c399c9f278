import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JailError, PathJail } from './path-jail';

describe('PathJail', () => {
  let root: string;
  let jail: PathJail;

  beforeAll(async () => {
    const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'jail-')));
    root = path.join(base, 'root');
    await fs.mkdir(path.join(root, 'sub'), { recursive: true });
    await fs.symlink(base, path.join(root, 'up'));
    jail = await PathJail.create(root);
  });
  afterAll(async () => {
    await fs.rm(path.dirname(root), { recursive: true, force: true });
  });

  it.each([
    ['/', '/', ''],
    ['.', '/', ''],
    ['', '/', ''],
    ['a/b', '/a/b', 'a/b'],
    ['/a//b/./c/', '/a/b/c', 'a/b/c'],
    ['a/../b', '/b', 'b'],
    ['/etc/passwd', '/etc/passwd', 'etc/passwd'],
  ])('maps %j to the virtual path %j inside the root', (input, virtual, rel) => {
    const jp = jail.resolve(input);
    expect(jp.virtual).toBe(virtual);
    expect(jp.rel).toBe(rel);
    expect(jp.real).toBe(rel ? path.join(root, rel) : root);
  });

  it.each(['..', '../x', '/..', 'a/../../x', '/a/b/../../../x', 'x\0y'])('refuses %j', (input) => {
    expect(() => jail.resolve(input)).toThrow(JailError);
  });

  it('refuses the root where an entry is needed', () => {
    expect(() => jail.resolveEntry('/')).toThrow(JailError);
    expect(jail.resolveEntry('/f').rel).toBe('f');
  });

  it('refuses a path through a symlink, and a final symlink unless allowed', async () => {
    await expect(jail.assertNoSymlinks(jail.resolve('up/root'))).rejects.toThrow(JailError);
    await expect(jail.assertNoSymlinks(jail.resolve('up'))).rejects.toThrow(JailError);
    await expect(jail.assertNoSymlinks(jail.resolve('up'), true)).resolves.toBeUndefined();
    await expect(jail.assertNoSymlinks(jail.resolve('sub/new-file'))).resolves.toBeUndefined();
  });

  it('knows which host paths are inside', () => {
    expect(jail.contains(root)).toBe(true);
    expect(jail.contains(path.join(root, 'sub'))).toBe(true);
    expect(jail.contains(root + '-sibling')).toBe(false);
    expect(jail.contains(path.dirname(root))).toBe(false);
  });
});
