import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashTree, Stack, startStack } from '../harness';
import { statesOf, TransferDriver } from './support/transfer-driver.util';

/**
 * Load: 200 small transfers started at once (all created and triggered concurrently) through one
 * core on PostgreSQL. Every one must succeed with its bytes right; the duration is printed for the
 * report (no timing assertion).
 */
const TRANSFERS = 200;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    name: 'load',
    database: 'postgres',
    // one researcher starting 200 transfers at once: the per-token limit is not what is tested here
    coreEnv: { FERRY_RATE_LIMIT_PER_MINUTE: '0', FERRY_LOG_LEVEL: 'log' },
  });
  fs.mkdirSync(path.join(stack.dirs.aData, 'load'));
  for (let i = 0; i < TRANSFERS; i++) {
    fs.writeFileSync(path.join(stack.dirs.aData, 'load', `l-${String(i).padStart(3, '0')}.dat`), `load ${i} `.repeat(20 + ((i * 37) % 400)));
  }
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'load'));
}, 120_000);

afterAll(async () => stack?.stop(), 60_000);

it(`${TRANSFERS} concurrent small transfers all succeed`, async () => {
  const driver = new TransferDriver(stack.researcher('alice'), [stack.coreUrl]);
  const started = Date.now();
  const results = await Promise.allSettled(
    [...Array(TRANSFERS).keys()].map((i) => driver.start(0, `a-data:/load/l-${String(i).padStart(3, '0')}.dat`, 'b-inbox:/load')),
  );
  const errors = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${(r.reason as Error).message}`] : []));
  expect(errors).toEqual([]);
  const ids = results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id);
  const startedIn = Date.now() - started;

  const done = await driver.waitAll(ids, { timeoutMs: 240_000 });
  const seconds = (Date.now() - started) / 1000;
  expect(statesOf(done.values())).toEqual({ SUCCEEDED: TRANSFERS });
  const src = await hashTree(path.join(stack.dirs.aData, 'load'));
  const dst = await hashTree(path.join(stack.dirs.bInbox, 'load'));
  expect(dst.files.size).toBe(TRANSFERS);
  expect([...dst.files.entries()].sort()).toEqual([...src.files.entries()].sort());
  process.stdout.write(
    `load: ${TRANSFERS} concurrent transfers SUCCEEDED in ${seconds.toFixed(1)} s (all created and triggered after ${(startedIn / 1000).toFixed(1)} s); errors: ${errors.length}\n`,
  );
}, 300_000);
