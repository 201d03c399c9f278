import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMechanismError } from '../mechanism.error';
import { isPausable, type PluginDefinition } from '../plugin.contract';
import {
  expectMonotonicProgress,
  expectNoLeaks,
  expectNoViolations,
  expectOnlyCompleteFiles,
  expectTreeAt,
  totals,
} from './conformance.checks';
import { defaultTree, prefixTree, readTree, writeRandomFile, writeTree, type TreeEntry } from './fs-tree.util';
import { PluginPair, type PairSetup, type Role, type TestTransfer } from './plugin-pair';

export interface ProbeContext {
  transferId: string;
  /** the source gateway's secrets as they were while the transfer ran (finalize may delete them) */
  sourceSecrets: Record<string, string>;
  /** the pair under test, for probes that need more (e.g. a plugin instance) */
  pair: PluginPair<any>;
}

export interface ConformanceOptions<O = unknown> {
  /** the plugin's definition (its package's default export) */
  definition: PluginDefinition<O>;
  /** raw options per side, as a gateway config would carry them (validated by optionsSchema) */
  options?: (role: Role) => unknown;
  /**
   * True when the destination's grant still lets the source in: try to log in with what the
   * source holds (its state, its secrets) and what the destination handed out (its forPeer).
   * The kit checks it is true while a transfer runs and false after every end state.
   */
  probeGrant(destinationForPeer: Record<string, unknown>, sourceState: Readonly<Record<string, unknown>>, ctx: ProbeContext): Promise<boolean>;
  /** Tampers with the destination's forPeer; default: alters every credential-looking string. */
  forgePeer?(forPeer: Record<string, unknown>): Record<string, unknown>;
  /** the code a forged credential must end with (default AUTH_FAILED) */
  forgedCode?: string;
  /** size of the file used to act mid-transfer (cancel, pause, restart); default 48 MiB */
  largeFileBytes?: number;
  /** per-wait guard so a hung plugin fails instead of hanging jest; default 120 s (no timing assertion) */
  timeoutMs?: number;
  /** describe() title; default "conformance: <id>" */
  title?: string;
  /**
   * where the pairs live and which local account transfers act as (see PairSetup); a function is
   * called when the pair starts (after the test file's own beforeAll, e.g. one that starts sshd)
   */
  pair?: PairSetup | (() => PairSetup);
}

const CREDENTIAL_KEY = /token|secret|password|credential|key|fingerprint|signature/i;

/** Default forgery: flip the last character of every credential-looking string in forPeer. */
export function defaultForgePeer(forPeer: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...forPeer };
  let changed = 0;
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'string' && v.length > 0 && CREDENTIAL_KEY.test(k)) {
      const last = v[v.length - 1];
      out[k] = v.slice(0, -1) + (last === 'A' ? 'B' : 'A');
      changed++;
    }
  }
  if (!changed) throw new Error('forPeer has no credential-looking field to forge; pass forgePeer to the kit');
  return out;
}

/**
 * The conformance suite every mechanism plugin runs in its own jest test file, against real peers
 * in-process: two plugin instances (source and destination gateway), each with a real
 * PluginContext, real folders, and the kit playing gateway, core and researcher.
 */
export function runConformanceSuite<O>(opts: ConformanceOptions<O>): void {
  const timeout = opts.timeoutMs ?? 120_000;
  const largeBytes = opts.largeFileBytes ?? 48 * 1024 * 1024;
  const forge = opts.forgePeer ?? defaultForgePeer;
  const forgedCode = opts.forgedCode ?? 'AUTH_FAILED';
  const pairSetup = () => (typeof opts.pair === 'function' ? opts.pair() : opts.pair);

  describe(opts.title ?? `conformance: ${opts.definition.id}`, () => {
    let pair: PluginPair<O>;
    let sourceTree: Map<string, TreeEntry>;

    beforeAll(async () => {
      pair = await PluginPair.start(opts.definition, opts.options, pairSetup());
      await writeTree(path.join(pair.source.driveRoot, 'project', 'data'), defaultTree());
      await writeRandomFile(path.join(pair.source.driveRoot, 'big', 'large.bin'), largeBytes);
      sourceTree = await readTree(path.join(pair.source.driveRoot, 'project', 'data'));
    }, timeout);

    afterAll(async () => {
      await pair?.stop();
    }, timeout);

    const probe = async (t: TestTransfer, secrets: Record<string, string>) =>
      opts.probeGrant(t.destinationPrep!.forPeer, t.source.state, { transferId: t.id, sourceSecrets: secrets, pair });

    it('has a well-formed definition and abilities', () => {
      const d = opts.definition;
      expect(typeof d.id).toBe('string');
      expect(d.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(typeof d.version).toBe('string');
      expect(typeof d.description).toBe('string');
      for (const role of ['source', 'destination'] as const) {
        const p = pair[role].plugin;
        expect(p.id).toBe(d.id);
        for (const k of ['pause', 'resume', 'cancel', 'checksum', 'browse'] as const) expect(typeof p.abilities[k]).toBe('boolean');
        if (p.abilities.pause || p.abilities.resume) expect(isPausable(p)).toBe(true);
      }
    });

    it('refuses to prepare a source path that does not exist', async () => {
      const t = await pair.transfer({ sourcePath: 'no/such/thing' });
      const err = await t.sourcePlugin.prepareSource(t.source).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isMechanismError(err)).toBe(true);
      expect(['NOT_FOUND', 'REJECTED', 'BAD_PATH']).toContain((err as { code: string }).code);
    });

    it(
      'negotiates JSON-clean parameters, and a repeated prepare hands out the same ones',
      async () => {
        const t = await pair.transfer({ sourcePath: 'project/data' });
        await t.prepare();
        for (const prep of [t.sourcePrep!, t.destinationPrep!]) {
          expect(prep.publicParams).toEqual(JSON.parse(JSON.stringify(prep.publicParams)));
          expect(prep.forPeer).toEqual(JSON.parse(JSON.stringify(prep.forPeer)));
          expect(typeof prep.publicParams).toBe('object');
          expect(typeof prep.forPeer).toBe('object');
        }
        const again = {
          source: await t.sourcePlugin.prepareSource(t.source),
          destination: await t.destinationPlugin.prepareDestination(t.destination, t.sourcePrep!.publicParams),
        };
        expect(again.source.publicParams).toEqual(t.sourcePrep!.publicParams);
        expect(again.destination.forPeer).toEqual(t.destinationPrep!.forPeer);
        await t.finalize('expired');
        expectNoViolations(t);
        expectNoLeaks(pair, t);
      },
      timeout,
    );

    it(
      'copies a folder into the destination folder byte for byte, with monotonic progress, then revokes the grant',
      async () => {
        const t = await pair.transfer({ sourcePath: 'project/data', options: { verify: 'size' } });
        await t.prepare();
        await t.triggerDestination();
        const secrets = await pair.source.parts.secrets.snapshot();
        expect(await probe(t, secrets)).toBe(true); // the probe itself works while the grant is live
        await t.triggerSource();
        await t.waitForEnd(timeout);
        expect(t.source.record.failures).toEqual([]);
        expect(t.source.record.completions).toHaveLength(1);

        await expectTreeAt(t.destination.localPath, prefixTree(sourceTree, 'data', { type: 'dir', size: 0 }));
        const { bytes, files } = totals(sourceTree);
        expectMonotonicProgress(t.source.record.reports, bytes, files);
        const manifest = t.manifest!;
        expect(manifest.files.map((f) => f.path).sort()).toEqual(
          [...sourceTree].filter(([, e]) => e.type === 'file').map(([rel]) => `data/${rel}`).sort(),
        );

        const first = await t.finalize('succeeded');
        expect(first.destination?.ok).toBe(true);
        expect(first.source?.ok).toBe(true);
        expect(await probe(t, secrets)).toBe(false);

        // finalize is idempotent
        const destAgain = await t.destinationPlugin.finalize(t.destination, 'succeeded', manifest);
        const srcAgain = await t.sourcePlugin.finalize(t.source, 'succeeded');
        expect(destAgain.ok).toBe(first.destination!.ok);
        expect(srcAgain.ok).toBe(first.source!.ok);
        await expectTreeAt(t.destination.localPath, prefixTree(sourceTree, 'data', { type: 'dir', size: 0 }));
        expectNoViolations(t);
        expectNoLeaks(pair, t);
      },
      timeout,
    );

    it(
      'copies a single file, and the contents of a drive root, the way cp -r SRC DST/ does',
      async () => {
        const single = await pair.transfer({ sourcePath: 'project/data/nested/deeper/blob.bin' });
        await single.run(timeout);
        expect(single.source.record.failures).toEqual([]);
        await expectTreeAt(single.destination.localPath, new Map([['blob.bin', sourceTree.get('nested/deeper/blob.bin')!]]));
        expect((await single.finalize('succeeded')).destination?.ok).toBe(true);

        // a drive holding only the fixture: its root's contents land directly in DST
        const rootOnly = await PluginPair.start(opts.definition, opts.options, pairSetup());
        try {
          await writeTree(rootOnly.source.driveRoot, defaultTree());
          const expected = await readTree(rootOnly.source.driveRoot);
          const t = await rootOnly.transfer({ sourcePath: '' });
          await t.run(timeout);
          expect(t.source.record.failures).toEqual([]);
          await expectTreeAt(t.destination.localPath, expected);
          expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
        } finally {
          await rootOnly.stop();
        }
      },
      timeout,
    );

    it(
      'verifies checksums when asked, and finalize reports a file that differs from the manifest',
      async () => {
        const t = await pair.transfer({
          sourcePath: 'project/data',
          options: { verify: pair.source.plugin.abilities.checksum ? 'checksum' : 'size' },
        });
        await t.run(timeout);
        expect(t.source.record.failures).toEqual([]);
        const manifest = t.manifest!;
        if (pair.source.plugin.abilities.checksum) {
          expect(manifest.verify).toBe('checksum');
          for (const f of manifest.files) expect(f.sha256).toBe(sourceTree.get(f.path.slice('data/'.length))?.sha256);
        }
        // damage one arrived file: same size, other bytes (checksum) or shorter (size)
        const victim = path.join(t.destination.localPath, 'data', 'readme.txt');
        const original = await fs.readFile(victim);
        if (manifest.verify === 'checksum') await fs.writeFile(victim, Buffer.from(original.toString('utf8').toUpperCase()));
        else await fs.writeFile(victim, original.subarray(1));
        const result = await t.finalize('succeeded');
        expect(result.destination?.ok).toBe(false);
        expect(result.destination?.mismatches?.map((m) => m.path)).toEqual(['data/readme.txt']);
        expectNoViolations(t);
      },
      timeout,
    );

    it(
      `refuses a forged peer credential (${forgedCode}), writes nothing, and revokes the grant`,
      async () => {
        const t = await pair.transfer({ sourcePath: 'project/data' });
        await t.prepare();
        await t.triggerDestination();
        const secrets = await pair.source.parts.secrets.snapshot();
        const thrown = await t.triggerSource(forge(t.destinationPrep!.forPeer)).then(
          () => null,
          (e: unknown) => e,
        );
        if (thrown) {
          expect(isMechanismError(thrown) ? thrown.code : String(thrown)).toBe(forgedCode);
        } else {
          await t.waitForEnd(timeout);
          expect(t.source.record.completions).toEqual([]);
          expect(t.source.record.failures.map((f) => f.code)).toEqual([forgedCode]);
        }
        expect(await fs.readdir(t.destination.localPath)).toEqual([]);
        await t.finalize('failed');
        expect(await probe(t, secrets)).toBe(false);
        expectNoViolations(t);
        expectNoLeaks(pair, t);
      },
      timeout,
    );

    it(
      'treats a repeated trigger as the same transfer (no second copy, one completion)',
      async () => {
        const t = await pair.transfer({ sourcePath: 'project/data' });
        await t.prepare();
        await t.triggerDestination();
        await t.triggerDestination();
        await t.triggerSource();
        await t.triggerSource();
        await t.waitForEnd(timeout);
        // after the end a repeated trigger is a no-op: nothing restarts, nothing is recorded
        const before = { source: JSON.stringify(t.source.state), destination: JSON.stringify(t.destination.state) };
        await t.triggerSource();
        await t.triggerDestination();
        expect({ source: JSON.stringify(t.source.state), destination: JSON.stringify(t.destination.state) }).toEqual(before);
        expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
        expect(t.source.record.completions).toHaveLength(1);
        expect(t.source.record.failures).toEqual([]);
        await expectTreeAt(t.destination.localPath, prefixTree(sourceTree, 'data', { type: 'dir', size: 0 }));
        expectNoViolations(t);
      },
      timeout,
    );

    it(
      'cancel in the middle leaves no partial files and revokes the grant',
      async () => {
        const t = await pair.transfer({ sourcePath: 'big' });
        await t.prepare();
        await t.triggerDestination();
        const secrets = await pair.source.parts.secrets.snapshot();
        await t.triggerSource();
        await t.waitForMidTransfer(timeout);
        expect(t.source.record.completions).toEqual([]); // else the file was too small to act mid-transfer
        await t.cancel();
        expect(await probe(t, secrets)).toBe(false);
        await t.finalize('cancelled');
        expect(t.source.record.completions).toEqual([]);
        await expectOnlyCompleteFiles(t.destination.localPath, path.join(pair.source.driveRoot, 'big'));
        expect(await probe(t, secrets)).toBe(false);
        expectNoViolations(t);
        expectNoLeaks(pair, t);
      },
      timeout,
    );

    it(
      'pauses and resumes where the mechanism declares it, with correct data after resume',
      async () => {
        if (!isPausable(pair.source.plugin)) return; // ability not declared: nothing to check
        const t = await pair.transfer({ sourcePath: 'big' });
        await t.prepare();
        await t.triggerDestination();
        await t.triggerSource();
        await t.waitForMidTransfer(timeout);
        await t.pause();
        expect(t.source.record.completions).toEqual([]);
        await t.pause(); // idempotent
        await t.resume();
        await t.waitForEnd(timeout);
        expect(t.source.record.failures).toEqual([]);
        const big = await readTree(path.join(pair.source.driveRoot, 'big'));
        await expectTreeAt(t.destination.localPath, prefixTree(big, 'big', { type: 'dir', size: 0 }));
        expectMonotonicProgress(t.source.record.reports, largeBytes, 1);
        expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
        expectNoViolations(t);
      },
      timeout,
    );

    it(
      'continues after the source gateway restarts mid-transfer (recover)',
      async () => {
        const t = await pair.transfer({ sourcePath: 'big' });
        await t.prepare();
        await t.triggerDestination();
        await t.triggerSource();
        await t.waitForMidTransfer(timeout);
        await t.restartSourceAndRecover();
        await t.waitForEnd(timeout);
        expect(t.source.record.failures).toEqual([]);
        const big = await readTree(path.join(pair.source.driveRoot, 'big'));
        await expectTreeAt(t.destination.localPath, prefixTree(big, 'big', { type: 'dir', size: 0 }));
        expect((await t.finalize('succeeded')).destination?.ok).toBe(true);
        expectNoViolations(t);
      },
      timeout,
    );

    it(
      'revokes the grant when an untriggered transfer expires',
      async () => {
        const t = await pair.transfer({ sourcePath: 'project/data' });
        await t.prepare();
        await t.triggerDestination();
        const secrets = await pair.source.parts.secrets.snapshot();
        expect(await probe(t, secrets)).toBe(true);
        await t.finalize('expired');
        expect(await probe(t, secrets)).toBe(false);
        expect(await fs.readdir(t.destination.localPath)).toEqual([]);
        expectNoViolations(t);
      },
      timeout,
    );
  });
}
