import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { diffTrees, prefixTree, readTree, sha256OfFile, writeRandomFile, writeTree, type TreeSpec } from '@ferry/plugin-sdk/testing';
import type { EmbeddedBackend } from '../src/destination/embedded.backend';
import { readGrant } from '../src/destination/grant';
import { TREE_SUBSYSTEM } from '../src/tree-stream/tree-protocol';
import { destinationPlugin, startPair, type Pair } from './grant-fixture.util';

// The tree stream (ferry-tree@1) between two real plugin instances over a real SSH connection.
describe('sftp tree stream', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await startPair();
    const small: TreeSpec = {};
    for (let d = 0; d < 10; d++) {
      const folder: TreeSpec = {};
      for (let f = 0; f < 60; f++) folder[`f-${f}.dat`] = `${d}/${f} `.repeat((f * 13) % 300);
      small[`d-${d}`] = folder;
    }
    await writeTree(path.join(pair.source.driveRoot, 'mixed'), {
      small,
      'empty-file': '',
      'empty-folder': {},
      'Ünïcødé 数据.txt': 'unicode\n',
    });
    // one file just over the stream's limit goes over SFTP, one at the limit through the stream
    await writeRandomFile(path.join(pair.source.driveRoot, 'mixed', 'big', 'over.bin'), 1024 * 1024 + 1);
    await writeRandomFile(path.join(pair.source.driveRoot, 'mixed', 'big', 'at.bin'), 1024 * 1024);
    await writeRandomFile(path.join(pair.source.driveRoot, 'mixed', 'big', 'large.bin'), 8 * 1024 * 1024);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const written = (t: { destination: { state: Readonly<Record<string, unknown>> } }) =>
    (destinationPlugin(pair).backend as EmbeddedBackend).bytesWritten(readGrant(t.destination.state)!);
  const streamOpened = (id: string) =>
    pair.destination.parts.logger.entries.some((e) => e.message === 'source opened the tree stream' && e.fields?.transferId === id);

  it('announces the stream in its public parameters and forPeer', async () => {
    const t = await pair.transfer({ sourcePath: 'mixed' });
    await t.prepare();
    expect(t.destinationPrep!.publicParams.streams).toEqual([TREE_SUBSYSTEM]);
    expect(t.destinationPrep!.forPeer.streams).toEqual([TREE_SUBSYSTEM]);
    await t.finalize('expired');
  });

  it('sends small files through the stream and big ones over SFTP, everything intact with times kept', async () => {
    const when = new Date('2022-01-02T03:04:05Z');
    await fs.utimes(path.join(pair.source.driveRoot, 'mixed', 'small', 'd-3'), when, when);
    const t = await pair.transfer({ sourcePath: 'mixed', options: { verify: 'checksum' } });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    expect(streamOpened(t.id)).toBe(true);
    const expected = await readTree(path.join(pair.source.driveRoot, 'mixed'));
    const arrived = await readTree(t.destination.localPath);
    expect(diffTrees(prefixTree(expected, 'mixed', { type: 'dir', size: 0 }), arrived)).toEqual([]);
    expect([...arrived.keys()].filter((k) => k.endsWith('.ferry-part'))).toEqual([]);
    for (const f of t.manifest!.files) expect(f.sha256).toBe(expected.get(f.path.slice('mixed/'.length))?.sha256);
    expect((await fs.stat(path.join(t.destination.localPath, 'mixed', 'small', 'd-3'))).mtime.toISOString()).toBe(when.toISOString());
    const src = await fs.stat(path.join(pair.source.driveRoot, 'mixed', 'small', 'd-3', 'f-7.dat'));
    const dst = await fs.stat(path.join(t.destination.localPath, 'mixed', 'small', 'd-3', 'f-7.dat'));
    expect(Math.floor(dst.mtimeMs / 1000)).toBe(Math.floor(src.mtimeMs / 1000));
    const last = t.source.record.reports.at(-1)!;
    expect(last.filesDone).toBe(t.manifest!.files.length);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('re-sync: one exchange finds an unchanged tree and sends nothing; a changed file is sent again', async () => {
    const first = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'again' });
    await first.run();
    await first.finalize('succeeded');
    const second = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'again' });
    await second.run();
    expect(second.source.record.failures).toEqual([]);
    expect(written(second)).toBe(0);
    // every file counted done, though none was sent
    const last = second.source.record.reports.at(-1)!;
    expect(last.filesDone).toBe(second.manifest!.files.length);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect((await second.finalize('succeeded')).destination).toMatchObject({ ok: true });

    // a file at the destination with another size, one with another mtime, one missing
    const dst = path.join(second.destination.localPath, 'mixed', 'small');
    await fs.writeFile(path.join(dst, 'd-1', 'f-5.dat'), 'changed');
    await fs.utimes(path.join(dst, 'd-2', 'f-9.dat'), new Date('2001-01-01'), new Date('2001-01-01'));
    await fs.rm(path.join(dst, 'd-4', 'f-11.dat'));
    const third = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'again' });
    await third.run();
    expect(third.source.record.failures).toEqual([]);
    const sizes = await Promise.all(
      ['d-1/f-5.dat', 'd-2/f-9.dat', 'd-4/f-11.dat'].map(async (p) => (await fs.stat(path.join(pair.source.driveRoot, 'mixed', 'small', p))).size),
    );
    expect(written(third)).toBe(sizes.reduce((a, b) => a + b, 0));
    const expected = await readTree(path.join(pair.source.driveRoot, 'mixed'));
    const arrived = await readTree(third.destination.localPath);
    expect(diffTrees(prefixTree(expected, 'mixed', { type: 'dir', size: 0 }), arrived)).toEqual([]);
    expect((await third.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('falls back to SFTP for every file when the destination does not announce the stream (an older peer)', async () => {
    const t = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'old-peer' });
    await t.prepare();
    await t.triggerDestination();
    const { streams: _ignored, ...oldForPeer } = t.destinationPrep!.forPeer;
    await t.triggerSource(oldForPeer);
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    expect(streamOpened(t.id)).toBe(false);
    const expected = await readTree(path.join(pair.source.driveRoot, 'mixed'));
    const arrived = await readTree(t.destination.localPath);
    expect(diffTrees(prefixTree(expected, 'mixed', { type: 'dir', size: 0 }), arrived)).toEqual([]);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('falls back to SFTP for every file when the destination announces the stream but refuses the channel', async () => {
    // a destination that announced ferry-tree@1 and then no longer serves it (e.g. a downgrade
    // between prepare and trigger): its SSH server refuses the subsystem like any unknown one
    const server = (destinationPlugin(pair).backend as unknown as { server: { deps: { subsystems?: Record<string, unknown> } } }).server;
    const served = server.deps.subsystems;
    server.deps.subsystems = {};
    try {
      const t = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'refused' });
      await t.prepare();
      expect(t.destinationPrep!.forPeer.streams).toEqual([TREE_SUBSYSTEM]);
      await t.triggerDestination();
      await t.triggerSource();
      await t.waitForEnd();
      expect(t.source.record.failures).toEqual([]);
      expect(streamOpened(t.id)).toBe(false);
      const warned = pair.source.parts.logger.entries.filter((e) => e.fields?.transferId === t.id && /refused the tree stream/.test(e.message));
      expect(warned).toHaveLength(1);
      const expected = await readTree(path.join(pair.source.driveRoot, 'mixed'));
      const arrived = await readTree(t.destination.localPath);
      expect(diffTrees(prefixTree(expected, 'mixed', { type: 'dir', size: 0 }), arrived)).toEqual([]);
      expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
    } finally {
      server.deps.subsystems = served;
    }
  });

  it('continues a tree after the source gateway is killed mid-tree (abort, then recover)', async () => {
    const many: TreeSpec = {};
    for (let d = 0; d < 20; d++) {
      const folder: TreeSpec = {};
      for (let f = 0; f < 100; f++) folder[`x-${f}.bin`] = `${d}:${f}:`.repeat(200);
      many[`m-${d}`] = folder;
    }
    await writeTree(path.join(pair.source.driveRoot, 'killed'), many);
    const t = await pair.transfer({ sourcePath: 'killed', options: { verify: 'checksum' } });
    await t.prepare();
    await t.triggerDestination();
    await t.triggerSource();
    await t.source.record.waitFor(() => t.source.record.reports.some((r) => r.filesDone > 0) || t.source.record.ended, 'some files done', 120_000);
    await t.restartSourceAndRecover();
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    const expected = await readTree(path.join(pair.source.driveRoot, 'killed'));
    const arrived = await readTree(t.destination.localPath);
    expect(diffTrees(prefixTree(expected, 'killed', { type: 'dir', size: 0 }), arrived)).toEqual([]);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
    expect([...(await readTree(t.destination.localPath)).keys()].filter((k) => k.endsWith('.ferry-part'))).toEqual([]);
  });

  it('finds out at finalize when a streamed file was changed at the destination afterwards', async () => {
    const t = await pair.transfer({ sourcePath: 'mixed', destinationPath: 'tampered' });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    await fs.writeFile(path.join(t.destination.localPath, 'mixed', 'small', 'd-0', 'f-1.dat'), 'not what was sent, longer');
    const result = (await t.finalize('succeeded')).destination!;
    expect(result.ok).toBe(false);
    expect(result.mismatches?.map((m) => m.path)).toEqual(['mixed/small/d-0/f-1.dat']);
  });

  it('big file over SFTP is byte for byte the source', async () => {
    const t = await pair.transfer({ sourcePath: 'mixed/big' });
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    for (const name of ['over.bin', 'at.bin', 'large.bin']) {
      expect(await sha256OfFile(path.join(t.destination.localPath, 'big', name))).toBe(
        await sha256OfFile(path.join(pair.source.driveRoot, 'mixed', 'big', name)),
      );
    }
    await t.finalize('succeeded');
  });
});
