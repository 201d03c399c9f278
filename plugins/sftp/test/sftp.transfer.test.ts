import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { diffTrees, prefixTree, readTree, writeRandomFile, writeTree, type TreeSpec } from '@ferry/plugin-sdk/testing';
import { startPair, type Pair } from './grant-fixture.util';

// Real data over a real SSH connection on 127.0.0.1, verified by sha256 at both ends.
describe('sftp transfers', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('sends nested folders, empty files and folders, unicode names, a 50 MiB file and 2,000 small files intact', async () => {
    const src = path.join(pair.source.driveRoot, 'dataset');
    const small: TreeSpec = {};
    for (let d = 0; d < 20; d++) {
      const folder: TreeSpec = {};
      for (let f = 0; f < 100; f++) folder[`s-${f}.dat`] = `${d}/${f} `.repeat((f * 7) % 50);
      small[`batch-${String(d).padStart(2, '0')}`] = folder;
    }
    await writeTree(src, {
      'deep': { 'a': { 'b': { 'c': { 'd': { 'leaf.txt': 'leaf\n' } } } } },
      'empty-file': '',
      'empty-folder': {},
      'nested-empty': { 'inner-empty': {} },
      'Ünïcødé — 数据 🚀.txt': 'unicode\n',
      'spaces and (parens)': { "quote's.txt": 'q\n' },
      small,
    });
    await writeRandomFile(path.join(src, 'big', 'fifty.bin'), 50 * 1024 * 1024);
    const t = await pair.transfer({ sourcePath: 'dataset', options: { verify: 'checksum' } });
    await t.run();
    expect(t.source.record.failures).toEqual([]);

    const expected = await readTree(src);
    expect([...expected.values()].filter((e) => e.type === 'file')).toHaveLength(2000 + 5);
    const arrived = await readTree(t.destination.localPath);
    expect(diffTrees(prefixTree(expected, 'dataset', { type: 'dir', size: 0 }), arrived)).toEqual([]);

    const manifest = t.manifest!;
    expect(manifest.verify).toBe('checksum');
    expect(manifest.files).toHaveLength(2005);
    for (const f of manifest.files) expect(f.sha256).toBe(expected.get(f.path.slice('dataset/'.length))?.sha256);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('keeps modification times of files and folders', async () => {
    const src = path.join(pair.source.driveRoot, 'timed');
    await writeTree(src, { 'old.txt': 'old\n', sub: { 'older.txt': 'older\n' } });
    const when = new Date('2021-03-04T05:06:07Z');
    for (const p of ['old.txt', 'sub/older.txt', 'sub', '.']) await fs.utimes(path.join(src, p), when, when);
    const t = await pair.transfer({ sourcePath: 'timed' });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    for (const p of ['timed/old.txt', 'timed/sub/older.txt', 'timed/sub', 'timed']) {
      expect((await fs.stat(path.join(t.destination.localPath, p))).mtime.toISOString()).toBe(when.toISOString());
    }
    await t.finalize('succeeded');
  });

  it('replaces a file of the same name that was already in the destination folder', async () => {
    await writeTree(path.join(pair.source.driveRoot, 'one'), { 'report.txt': 'new contents\n' });
    const t = await pair.transfer({ sourcePath: 'one/report.txt' });
    await fs.writeFile(path.join(t.destination.localPath, 'report.txt'), 'stale and longer contents\n');
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    expect(await fs.readFile(path.join(t.destination.localPath, 'report.txt'), 'utf8')).toBe('new contents\n');
    expect(await fs.readdir(t.destination.localPath)).toEqual(['report.txt']);
    await t.finalize('succeeded');
  });

  it('refuses to prepare towards a destination folder that does not exist', async () => {
    const t = await pair.transfer({ sourcePath: 'one', createDestination: false });
    await expect(t.prepare()).rejects.toMatchObject({ name: 'MechanismError', code: 'NOT_FOUND' });
  });
});
