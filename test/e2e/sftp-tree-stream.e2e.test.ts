import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskView } from '@ferry/contracts';
import { hashTree, listAll, Stack, startStack } from '../harness';

/**
 * The sftp tree stream (ferry-tree@1) with the whole stack as processes: a tree of many small
 * files, with gateway A, then gateway B, killed (SIGKILL) in the middle and restarted. Each
 * transfer must end SUCCEEDED with every file's sha256 equal to A's and no part file left at B.
 * The tests wait for progress, never for a fixed time.
 */
const FILES = 12_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'tree-stream', database: 'pglite' });
  const root = path.join(stack.dirs.aData, 'many');
  for (let d = 0; d < 60; d++) {
    const dir = path.join(root, `d-${String(d).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES / 60; f++) fs.writeFileSync(path.join(dir, `f-${f}.bin`), `${d}/${f}/`.repeat(300 + f));
  }
}, 180_000);

afterAll(async () => stack?.stop(), 60_000);

const running = (minFiles: number) => (t: TaskView) => {
  if (['FAILED', 'CANCELLED', 'EXPIRED', 'REJECTED'].includes(t.state)) throw new Error(`task ended ${t.state}: ${JSON.stringify(t.error)}`);
  if (t.state === 'SUCCEEDED') throw new Error('the transfer finished before the test could act: make the tree bigger');
  return t.state === 'RUNNING' && t.progress.filesDone >= minFiles;
};

async function expectSameTree(dst: string) {
  const src = await hashTree(path.join(stack.dirs.aData, 'many'));
  const got = await hashTree(dst);
  expect(got.files.size).toBe(FILES);
  expect([...got.files.entries()].sort()).toEqual([...src.files.entries()].sort());
  expect(listAll(stack.dirs.bInbox).filter((p) => p.endsWith('.ferry-part'))).toEqual([]);
}

it.each(['gatewayA', 'gatewayB'] as const)(
  '%s killed (SIGKILL) mid-tree and restarted: the transfer resumes and ends with every file right',
  async (which) => {
    const alice = stack.researcher('alice');
    const folder = `crash-${which}`;
    fs.mkdirSync(path.join(stack.dirs.bInbox, folder));
    // size manifest: 12,000 sha256 entries exceed the core's 1 MiB request limit (the test hashes both trees itself)
    const { transfer } = await alice.start('a-data:/many', `b-inbox:/${folder}`, { verify: 'size' });
    await alice.waitTask(transfer.id, running(100));
    await stack[which].kill('SIGKILL');
    await stack[which].start();
    const done = await alice.waitTask(transfer.id, undefined, 300_000);
    expect(done.error).toBeNull();
    expect(done.state).toBe('SUCCEEDED');
    await expectSameTree(path.join(stack.dirs.bInbox, folder, 'many'));
  },
  360_000,
);
