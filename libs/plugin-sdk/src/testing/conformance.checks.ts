import type { ProgressFigures } from '@ferry/contracts';
import { diffTrees, readTree, type TreeEntry } from './fs-tree.util';
import type { PluginPair, TestTransfer } from './plugin-pair';

/** The plugin broke no rule the handles enforce (one end, JSON-clean state and manifest, ...). */
export function expectNoViolations(t: TestTransfer): void {
  expect(t.source.record.violations).toEqual([]);
  expect(t.destination.record.violations).toEqual([]);
}

/** No stored secret appears in public params, state, progress, failures or logs (forPeer may hold them: it is sealed). */
export function expectNoLeaks(pair: PluginPair<any>, t: TestTransfer): void {
  const secrets = [...pair.source.parts.secrets.storedValues(), ...pair.destination.parts.secrets.storedValues()];
  // whole values, and each long line of multi-line ones (a logged key would show line by line)
  const pieces = secrets.flatMap((s) => [s, ...s.split('\n').filter((l) => l.trim().length >= 24)]).filter((s) => s.length >= 12);
  const visible = [
    JSON.stringify(t.sourcePrep?.publicParams),
    JSON.stringify(t.destinationPrep?.publicParams),
    ...t.source.record.stateHistory,
    ...t.destination.record.stateHistory,
    JSON.stringify(t.source.record.reports),
    JSON.stringify(t.source.record.failures),
    pair.source.parts.logger.text(),
    pair.destination.parts.logger.text(),
  ].join('\n');
  const leaked = pieces.filter((p) => visible.includes(p));
  expect(leaked.map((p) => `${p.slice(0, 6)}… (${p.length} chars)`)).toEqual([]);
}

/** bytesDone and filesDone never decrease, and the last report shows everything done. */
export function expectMonotonicProgress(reports: ProgressFigures[], bytes: number, files: number): void {
  expect(reports.length).toBeGreaterThan(0);
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i].bytesDone).toBeGreaterThanOrEqual(reports[i - 1].bytesDone);
    expect(reports[i].filesDone).toBeGreaterThanOrEqual(reports[i - 1].filesDone);
  }
  const last = reports[reports.length - 1];
  expect({ bytesDone: last.bytesDone, bytesTotal: last.bytesTotal, filesDone: last.filesDone, filesTotal: last.filesTotal }).toEqual({
    bytesDone: bytes,
    bytesTotal: bytes,
    filesDone: files,
    filesTotal: files,
  });
}

export function totals(tree: Map<string, TreeEntry>): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of tree.values()) {
    if (e.type !== 'file') continue;
    bytes += e.size;
    files++;
  }
  return { bytes, files };
}

export async function expectTreeAt(dir: string, expected: Map<string, TreeEntry>): Promise<void> {
  expect(diffTrees(expected, await readTree(dir))).toEqual([]);
}

/**
 * Every file under `dstDir` is a complete copy of its counterpart under `srcDir` (paths compared
 * after the first segment, the copied item's own name): no partial, temporary or stray files.
 */
export async function expectOnlyCompleteFiles(dstDir: string, srcDir: string): Promise<void> {
  const src = await readTree(srcDir);
  const stray: string[] = [];
  for (const [rel, e] of await readTree(dstDir)) {
    if (e.type === 'dir') continue;
    const want = src.get(rel.split('/').slice(1).join('/'));
    if (!want || want.type !== 'file' || want.sha256 !== e.sha256) stray.push(rel);
  }
  expect(stray).toEqual([]);
}
