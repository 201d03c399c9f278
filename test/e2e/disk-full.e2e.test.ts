import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatewaySecretFiles, listAll, privateKeysIn, type SftpPeer, type Stack, startStack, trySftpLogin, writeRandomFile } from '../harness';

/**
 * Disk full at the destination: gateway B's drive is a 2 MiB tmpfs (mounted by this test, which runs
 * as root), and alice sends 8 MiB. The task must end FAILED with a DISK_FULL error the researcher can
 * read, B must be left with no partial file (and its space given back), and the grant must be revoked.
 * Real core, gateways and sftp plugin as processes (npx tsc -b apps/core apps/provider plugins/sftp).
 */
const MiB = 1024 * 1024;
let stack: Stack;
let mountPoint = '';

beforeAll(async () => {
  stack = await startStack({
    name: 'disk-full',
    database: 'pglite',
    customize: ({ gateways }) => {
      const inbox = gateways.b.drives.find((d) => d.id === 'inbox')!;
      fs.mkdirSync(inbox.path!, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', inbox.path!]);
      mountPoint = inbox.path!;
    },
  });
  await writeRandomFile(path.join(stack.dirs.aData, 'big', 'large.bin'), 8 * MiB);
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'incoming'));
}, 180_000);

afterAll(async () => {
  // gateway B first, so nothing holds the mount; then unmount before the stack removes its folders
  await stack?.gatewayB.stop();
  if (mountPoint) {
    try {
      execFileSync('umount', [mountPoint]);
    } catch {
      execFileSync('umount', ['-l', mountPoint]);
    }
  }
  await stack?.stop();
}, 60_000);

/** Polls `cond` (a safety limit only, no timing assertion). */
async function eventually(what: string, cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

it('a transfer bigger than the destination disk ends FAILED with DISK_FULL, no partial file, grant revoked', async () => {
  expect(fs.statfsSync(mountPoint).blocks * fs.statfsSync(mountPoint).bsize).toBeLessThanOrEqual(2 * MiB);
  const alice = stack.researcher('alice');
  const p = await alice.prepare('a-data:/big', 'b-inbox:/incoming');
  expect(p.transfer.mechanism).toBe('sftp');
  const keys = privateKeysIn(gatewaySecretFiles(stack.dirs.aState));
  const peer = p.sealedParams.destination.forPeer as unknown as SftpPeer;
  expect(keys.length).toBeGreaterThan(0);
  await alice.api.trigger(p.transfer.id, p.request);

  const done = await alice.waitTask(p.transfer.id, undefined, 300_000);
  expect(done.state).toBe('FAILED');
  expect(done.error).toEqual({ code: 'DISK_FULL', message: expect.stringMatching(/disk is full/i) });
  // what the researcher reads: GET /api/tasks/{id}
  const res = await fetch(`${stack.coreUrl}/api/tasks/${p.transfer.id}`, { headers: { authorization: `Bearer ${stack.tokens.alice}` } });
  expect(res.status).toBe(200);
  const view = (await res.json()) as { state: string; error: { code: string; message: string } };
  expect(view.state).toBe('FAILED');
  expect(view.error.code).toBe('DISK_FULL');

  // the core tells B (finalize 'failed'): partial files go, the space comes back, the grant is revoked
  const dst = path.join(stack.dirs.bInbox, 'incoming');
  await eventually('no partial file at B', () => listAll(dst).every((f) => !f.endsWith('.ferry-part')));
  expect(listAll(dst).filter((f) => f.endsWith('large.bin'))).toEqual([]);
  await eventually('the space given back', () => {
    const s = fs.statfsSync(mountPoint);
    return s.bfree === s.blocks || s.bfree >= s.blocks - 2; // folders take a block or two
  });
  await eventually('the grant revoked', async () => (await Promise.all(keys.map((k) => trySftpLogin(peer, k)))).every((r) => r === 'denied'));
  // and it stays failed
  expect((await alice.api.task(p.transfer.id)).state).toBe('FAILED');
}, 360_000);
