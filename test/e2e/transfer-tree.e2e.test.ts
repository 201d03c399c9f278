import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ARTIFACTS_DIR, DatabaseKind, hashTree, makeSampleTree, Stack, startStack } from '../harness';

/**
 * The main transfer: core + two gateways as processes, a tree with nested folders, empty files and
 * folders, unicode names, one 200 MiB random file and 2,000 small files, verified by checksum;
 * every file's sha256 at B must equal A's. Runs on embedded PGlite and on a real PostgreSQL server.
 */
const MiB = 1024 * 1024;
let sourceTree: string;

beforeAll(async () => {
  sourceTree = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-e2e-tree-'));
  await makeSampleTree(path.join(sourceTree, 'tree'), { bigFileBytes: 200 * MiB, smallFiles: 2000 });
}, 120_000);

afterAll(() => fs.rmSync(sourceTree, { recursive: true, force: true }));

describe.each<DatabaseKind>(['pglite', 'postgres'])('transfer of a large tree on %s', (database) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ name: `tree-${database}`, database });
    // hard links: the same bytes at A without writing 200 MiB again
    execFileSync('cp', ['-al', path.join(sourceTree, 'tree'), path.join(stack.dirs.aData, 'tree')]);
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'incoming'));
  }, 120_000);

  afterAll(async () => stack?.stop(), 60_000);

  it('copies every file to B with the same sha256, and reports the right totals', async () => {
    const alice = stack.researcher('alice');
    const expected = await hashTree(path.join(stack.dirs.aData, 'tree'));
    const totalBytes = [...expected.files.values()].reduce((n, f) => n + f.size, 0);

    const started = Date.now();
    const { transfer } = await alice.start('a-data:/tree', 'b-inbox:/incoming', { verify: 'checksum', label: `tree on ${database}` });
    expect(transfer.mechanism).toBe('sftp');
    const done = await alice.waitTask(transfer.id, undefined, 600_000);
    const seconds = (Date.now() - started) / 1000;
    expect(done.error).toBeNull();
    expect(done.state).toBe('SUCCEEDED');

    const actual = await hashTree(path.join(stack.dirs.bInbox, 'incoming', 'tree'));
    expect(actual.files.size).toBe(expected.files.size);
    // compare as sorted arrays so a failure names the first differing file
    expect([...actual.files.entries()].sort()).toEqual([...expected.files.entries()].sort());
    expect([...actual.dirs].sort()).toEqual([...expected.dirs].sort());
    // nothing else landed at B (no temporary or partial files beside the tree)
    expect(fs.readdirSync(path.join(stack.dirs.bInbox, 'incoming'))).toEqual(['tree']);

    expect(done.progress.bytesDone).toBe(totalBytes);
    expect(done.progress.filesDone).toBe(expected.files.size);
    expect(done.progress.filesTotal).toBe(expected.files.size);

    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    fs.appendFileSync(
      path.join(ARTIFACTS_DIR, 'e2e-timings.jsonl'),
      JSON.stringify({ at: new Date().toISOString(), database, files: expected.files.size, bytes: totalBytes, seconds, mibPerSecond: totalBytes / MiB / seconds }) + '\n',
    );
  }, 660_000);
});
