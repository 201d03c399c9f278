import * as fs from 'node:fs';
import * as path from 'node:path';
import { listAll, Stack, startStack } from '../harness';

/**
 * A source's completion report carries the manifest of every file it sent (path, size, sha256),
 * which for a tree of many files is far larger than any researcher's request. The core takes
 * gateways' calls up to FERRY_MAX_GATEWAY_BODY_BYTES and gateway B takes the core's finalize up to
 * maxManifestBodyBytes, both far above the 1 MiB general limit; a manifest over the core's limit
 * fails the transfer with a reason instead of leaving it running for ever.
 */
const LIMIT = 2 * 1024 * 1024;
let stack: Stack;

function makeTree(name: string, files: number) {
  const root = path.join(stack.dirs.aData, name);
  for (let d = 0; d < 40; d++) {
    const dir = path.join(root, `folder-${String(d).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < files / 40; f++) fs.writeFileSync(path.join(dir, `file-${f}-${'x'.repeat(40)}.bin`), `${d}/${f}`);
  }
}

beforeAll(async () => {
  stack = await startStack({ name: 'large-manifest', database: 'pglite', coreEnv: { FERRY_MAX_GATEWAY_BODY_BYTES: String(LIMIT) } });
  makeTree('mid', 8_000); // checksum manifest ~1.2 MB: over the general 1 MiB limit, under LIMIT
  makeTree('big', 16_000); // ~2.4 MB: over LIMIT
}, 180_000);

afterAll(async () => stack?.stop(), 60_000);

it('a checksum manifest over 1 MiB reaches the core and gateway B, and the transfer succeeds', async () => {
  const alice = stack.researcher('alice');
  const { transfer } = await alice.start('a-data:/mid', 'b-inbox:/', { verify: 'checksum' });
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  expect(done.progress.filesDone).toBe(8_000);
  expect(listAll(path.join(stack.dirs.bInbox, 'mid')).filter((p) => p.endsWith('.bin'))).toHaveLength(8_000);
}, 360_000);

it('a manifest over the core limit fails the transfer with MANIFEST_TOO_LARGE and leaves no part file', async () => {
  const alice = stack.researcher('alice');
  const { transfer } = await alice.start('a-data:/big', 'b-inbox:/', { verify: 'checksum' });
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.state).toBe('FAILED');
  expect(done.error?.code).toBe('MANIFEST_TOO_LARGE');
  expect(done.error?.message).toMatch(/FERRY_MAX_GATEWAY_BODY_BYTES/);
  expect(listAll(stack.dirs.bInbox).filter((p) => p.endsWith('.ferry-part'))).toEqual([]);
}, 360_000);
