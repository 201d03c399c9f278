import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskView } from '@ferry/contracts';
import { hashTree, listAll, paceSftpSource, Stack, startStack, writeRandomFile } from '../harness';

/**
 * Pause through the API at the very start of a transfer (the source gateway is still listing,
 * connecting, logging in or opening files), then resume: the control call must be answered
 * (it once hung at gateway A until the core gave up with PROVIDER_UNAVAILABLE) and the transfer
 * must end SUCCEEDED with every byte right. The tests wait for states and progress, never for a
 * fixed time.
 */
const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    name: 'early-pause',
    database: 'pglite',
    // one 32 KiB write in flight at A: 128 MiB then takes seconds, so "the first bytes" are still the
    // start of the transfer however fast the machine is (at full speed a quiet machine moved all of
    // it before the pause arrived, and the task went on to FINALIZING)
    customize: ({ gateways }) => paceSftpSource(gateways.a),
  });
  const bulk = path.join(stack.dirs.aData, 'bulk');
  for (let i = 0; i < 8; i++) await writeRandomFile(path.join(bulk, `part-${i}.bin`), 16 * MiB);
  fs.writeFileSync(path.join(bulk, 'empty.txt'), '');
  fs.mkdirSync(path.join(bulk, 'nested', 'empty-folder'), { recursive: true });
  fs.writeFileSync(path.join(bulk, 'nested', 'note.txt'), 'a small file among big ones\n');
}, 180_000);

afterAll(async () => stack?.stop(), 60_000);

const notEnded = (t: TaskView) => {
  if (['FAILED', 'CANCELLED', 'EXPIRED', 'REJECTED'].includes(t.state)) throw new Error(`task ended ${t.state}: ${JSON.stringify(t.error)}`);
};

async function pauseThenResume(dstFolder: string, when: 'trigger answered' | 'RUNNING seen' | 'first bytes'): Promise<void> {
  const alice = stack.researcher('alice');
  fs.mkdirSync(path.join(stack.dirs.bInbox, dstFolder));
  const { transfer } = await alice.start('a-data:/bulk', `b-inbox:/${dstFolder}`, { verify: 'checksum' });
  if (when === 'RUNNING seen') {
    await alice.waitTask(transfer.id, (t) => (notEnded(t), t.state === 'RUNNING' || t.state === 'SUCCEEDED'));
  } else if (when === 'first bytes') {
    await alice.waitTask(transfer.id, (t) => (notEnded(t), t.state === 'SUCCEEDED' || (t.state === 'RUNNING' && t.progress.bytesDone > 0)));
  }
  const before = await alice.api.task(transfer.id);
  if (before.state !== 'SUCCEEDED' && before.state !== 'FINALIZING') {
    // the call itself must be answered, and with the pause done
    const answered = await alice.api.control(transfer.id, 'pause');
    // 128 MiB cannot be through that early; at the first bytes a fast machine might just finish
    expect(when === 'first bytes' ? ['PAUSED', 'FINALIZING', 'SUCCEEDED'] : ['PAUSED']).toContain(answered.state);
    if (answered.state === 'PAUSED') {
      const paused = await alice.waitState(transfer.id, ['PAUSED']);
      expect(paused.operations).toContain('resume');
      const resumed = await alice.api.control(transfer.id, 'resume');
      expect(['RUNNING', 'FINALIZING', 'SUCCEEDED']).toContain(resumed.state);
    }
  }
  const done = await alice.waitTask(transfer.id, undefined, 300_000);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  const src = await hashTree(path.join(stack.dirs.aData, 'bulk'));
  const got = await hashTree(path.join(stack.dirs.bInbox, dstFolder, 'bulk'));
  expect([...got.files.entries()].sort()).toEqual([...src.files.entries()].sort());
  expect([...got.dirs].sort()).toEqual([...src.dirs].sort());
  expect(listAll(path.join(stack.dirs.bInbox, dstFolder)).filter((f) => f.endsWith('.ferry-part'))).toEqual([]);
}

it('pause as soon as the trigger is answered, then resume: SUCCEEDED with the right sha256 (3 rounds)', async () => {
  for (let round = 0; round < 3; round++) await pauseThenResume(`at-trigger-${round}`, 'trigger answered');
}, 900_000);

it('pause as soon as the task is RUNNING, then resume: SUCCEEDED with the right sha256 (3 rounds)', async () => {
  for (let round = 0; round < 3; round++) await pauseThenResume(`at-running-${round}`, 'RUNNING seen');
}, 900_000);

it('pause at the first bytes, then resume: SUCCEEDED with the right sha256', async () => {
  await pauseThenResume('at-first-bytes', 'first bytes');
}, 600_000);
