import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTree, sha256OfFile, writeRandomFile } from '@ferry/plugin-sdk/testing';
import type { EmbeddedBackend } from '../src/destination/embedded.backend';
import { readGrant } from '../src/destination/grant';
import { destinationPlugin, startPair, type Pair } from './grant-fixture.util';

const MiB = 1024 * 1024;
const SIZE = 24 * MiB;
// a small resume window (8 requests of 64 KiB in flight) makes "not resent from zero" sharp
const CHUNK = 64 * 1024;
const IN_FLIGHT = 8;

describe('sftp resume', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await startPair({ chunkSize: CHUNK, requestsInFlight: IN_FLIGHT, parallelFiles: 1 });
    await writeRandomFile(path.join(pair.source.driveRoot, 'resume', 'big.bin'), SIZE);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const written = (t: { destination: { state: Readonly<Record<string, unknown>> } }) =>
    (destinationPlugin(pair).backend as EmbeddedBackend).bytesWritten(readGrant(t.destination.state)!);

  it('continues a file from its partial length after the source is killed mid-file (abort, then recover)', async () => {
    const t = await pair.transfer({ sourcePath: 'resume/big.bin', options: { verify: 'checksum' } });
    await t.prepare();
    await t.triggerDestination();
    await t.triggerSource();
    await t.source.record.waitFor(() => t.source.record.reports.some((r) => r.bytesDone >= 8 * MiB), '8 MiB sent', 120_000);
    // the gateway dies: its signal aborts and the plugin instance goes away without any goodbye
    await t.restartSourceAndRecover();
    const part = path.join(t.destination.localPath, 'big.bin.ferry-part');
    const before = written(t);
    expect(before).toBeGreaterThanOrEqual(8 * MiB);
    expect(before).toBeLessThan(SIZE);

    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    expect(await sha256OfFile(path.join(t.destination.localPath, 'big.bin'))).toBe(
      await sha256OfFile(path.join(pair.source.driveRoot, 'resume', 'big.bin')),
    );
    await expect(fs.access(part)).rejects.toThrow();
    // all bytes written at the destination across both runs: the file once, plus at most the
    // resume window sent again (writes are acknowledged out of order, so the tail is re-sent)
    expect(written(t)).toBeLessThanOrEqual(SIZE + CHUNK * IN_FLIGHT);
    const resumedLog = pair.source.parts.logger.entries.find((e) => e.message === 'resumed a partial file' && e.fields?.transferId === t.id);
    expect(resumedLog?.fields?.offset).toBeGreaterThan(0);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('pause keeps the partial file and resume continues it', async () => {
    const t = await pair.transfer({ sourcePath: 'resume' });
    await t.prepare();
    await t.triggerDestination();
    await t.triggerSource();
    await t.source.record.waitFor(() => t.source.record.reports.some((r) => r.bytesDone >= 4 * MiB), '4 MiB sent', 120_000);
    await t.pause();
    const partial = await fs.stat(path.join(t.destination.localPath, 'resume', 'big.bin.ferry-part'));
    expect(partial.size).toBeGreaterThan(0);
    expect(partial.size).toBeLessThan(SIZE);
    await t.resume();
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    expect(written(t)).toBeLessThanOrEqual(SIZE + CHUNK * IN_FLIGHT);
    const arrived = await readTree(t.destination.localPath);
    expect(arrived.get('resume/big.bin')?.sha256).toBe(await sha256OfFile(path.join(pair.source.driveRoot, 'resume', 'big.bin')));
    expect(arrived.has('resume/big.bin.ferry-part')).toBe(false);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it("overwrites a partial file it did not write itself (another transfer's leftover)", async () => {
    const t = await pair.transfer({ sourcePath: 'resume/big.bin' });
    await fs.writeFile(path.join(t.destination.localPath, 'big.bin.ferry-part'), Buffer.alloc(SIZE / 2, 7));
    await t.run();
    expect(t.source.record.failures).toEqual([]);
    expect(await sha256OfFile(path.join(t.destination.localPath, 'big.bin'))).toBe(
      await sha256OfFile(path.join(pair.source.driveRoot, 'resume', 'big.bin')),
    );
    expect(written(t)).toBe(SIZE);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('skips files that a previous run already completed', async () => {
    const first = await pair.transfer({ sourcePath: 'resume', destinationPath: 'again' });
    await first.run();
    await first.finalize('succeeded');
    const second = await pair.transfer({ sourcePath: 'resume', destinationPath: 'again' });
    await second.run();
    expect(second.source.record.failures).toEqual([]);
    expect(written(second)).toBe(0);
    expect((await second.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });
});
