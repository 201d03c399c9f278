import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomToken, seal } from '@ferry/crypto';
import type { TransferView, TriggerRequest } from '@ferry/contracts';
import {
  callGatewayAsCore,
  gatewaySecretFiles,
  hashTree,
  listAll,
  makeSampleTree,
  privateKeysIn,
  ResearcherClient,
  SftpPeer,
  Stack,
  startStack,
  trySftpLogin,
} from '../harness';

/**
 * What must NOT happen: transfers a policy forbids, by users without rights or accounts, out of the
 * drives, with forged, replayed or misplaced triggers, or on someone else's tasks.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'security', database: 'pglite' });
  await makeSampleTree(path.join(stack.dirs.aData, 'samples'));
  await makeSampleTree(path.join(stack.dirs.bInbox, 'results'));
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'in'));
}, 120_000);

afterAll(async () => stack?.stop(), 60_000);

/** Finishes a transfer that should work and checks what arrived. */
async function triggerAndExpectSuccess(t: TransferView, request: TriggerRequest, destDir: string, srcDir: string) {
  const alice = stack.researcher('alice');
  await alice.api.trigger(t.id, request);
  const done = await alice.waitTask(t.id);
  expect(done.error).toBeNull();
  expect(done.state).toBe('SUCCEEDED');
  expect([...(await hashTree(destDir)).files.entries()].sort()).toEqual([...(await hashTree(srcDir)).files.entries()].sort());
}

describe('policy and permissions', () => {
  it("B -> A is rejected by B's policy with a reason, and nothing moves", async () => {
    const alice = stack.researcher('alice');
    const before = listAll(stack.dirs.aData);
    const err = await alice.error(alice.create('b-inbox:/results', 'a-data:/'));
    expect(err.status).toBe(422);
    expect(err.code).toBe('REJECTED_BY_POLICY');
    expect(err.message).toMatch(/provider-b/);
    expect(err.message).toMatch(/agreement|policy/i);
    // the task stays on record as REJECTED, with the gateway's reason
    const id = String(err.details?.transferId);
    const task = await alice.api.task(id);
    expect(task.state).toBe('REJECTED');
    expect(task.error?.code).toBe('REJECTED_BY_POLICY');
    expect(task.operations).toEqual([]);
    const transfer = await alice.api.getTransfer(id);
    expect(transfer.rejection).toMatchObject({ providerId: 'provider-b', code: 'REJECTED_BY_POLICY' });
    expect(transfer.offers).toEqual([]);
    expect(listAll(stack.dirs.aData)).toEqual(before);
  });

  it('bob (READ on a-data, nothing on b-inbox) gets FORBIDDEN and no task', async () => {
    const bob = stack.researcher('bob');
    const err = await bob.error(bob.create('a-data:/samples', 'b-inbox:/in'));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.status).toBe(403);
    expect((await bob.api.tasks()).items).toEqual([]);
    expect(listAll(path.join(stack.dirs.bInbox, 'in'))).toEqual([]);
  });

  it('carol (rights but no account at the providers) gets NO_IDENTITY_MAPPING', async () => {
    const carol = stack.researcher('carol');
    const err = await carol.error(carol.create('a-data:/samples', 'b-inbox:/in'));
    expect(err.code).toBe('NO_IDENTITY_MAPPING');
    expect(err.status).toBe(403);
  });

  it('an unknown token is UNAUTHENTICATED', async () => {
    const stranger = new ResearcherClient(stack.coreUrl, randomToken());
    const err = await stranger.error(stranger.api.tasks());
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.status).toBe(401);
  });
});

describe('path traversal', () => {
  const escapes = ['../../../etc', 'samples/../../..', '..', '/..', 'samples/..\\..\\x', 'samples\u0000/x'];

  it.each(escapes)('source path %j is refused with BAD_PATH', async (p) => {
    const alice = stack.researcher('alice');
    const err = await alice.error(alice.api.createTransfer({ source: { driveId: 'a-data', path: p }, destination: { driveId: 'b-inbox', path: 'in' }, userPublicKey: alice.key.publicKey }));
    expect(err.code).toBe('BAD_PATH');
    expect(err.status).toBe(400);
  });

  it.each(escapes)('destination path %j is refused with BAD_PATH', async (p) => {
    const alice = stack.researcher('alice');
    const err = await alice.error(alice.api.createTransfer({ source: { driveId: 'a-data', path: 'samples' }, destination: { driveId: 'b-inbox', path: p }, userPublicKey: alice.key.publicKey }));
    expect(err.code).toBe('BAD_PATH');
    expect(err.status).toBe(400);
  });

  it('a symlink inside the drive that points outside it does not leak host files', async () => {
    fs.symlinkSync('/etc', path.join(stack.dirs.aData, 'escape'));
    const alice = stack.researcher('alice');
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'symlink-test'));
    try {
      const p = await alice.prepare('a-data:/escape', 'b-inbox:/symlink-test');
      await alice.api.trigger(p.transfer.id, p.request).catch(() => undefined);
      const done = await alice.waitTask(p.transfer.id);
      expect(done.state).not.toBe('SUCCEEDED');
    } catch (e) {
      // refused at negotiation: fine, as long as it is a clear 4xx
      const err = e as { status?: number };
      if (!err.status) throw e;
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(err.status).toBeLessThan(500);
    }
    expect(listAll(path.join(stack.dirs.bInbox, 'symlink-test')).filter((f) => /passwd|hostname|hosts/.test(f))).toEqual([]);
  });
});

describe('triggers', () => {
  it('a forged trigger (wrong trigger token) is refused, and the genuine one still works', async () => {
    const alice = stack.researcher('alice');
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'forged'));
    const p = await alice.prepare('a-data:/samples', 'b-inbox:/forged');
    const forged: TriggerRequest = {
      triggers: p.opened.map((o) => ({
        role: o.offer.role as 'source' | 'destination',
        envelope: seal({ triggerToken: randomToken(), peer: {} }, o.offer.gateway.boxPublicKey, { transferId: p.transfer.id, role: o.offer.role, purpose: 'trigger' }),
      })),
    };
    const err = await alice.error(alice.api.trigger(p.transfer.id, forged));
    expect(err.code).toBe('TRIGGER_INVALID');
    expect(err.status).toBe(400);
    // sealed to the wrong key entirely: does not even open
    const garbage: TriggerRequest = { triggers: p.request.triggers.map((t) => ({ ...t, envelope: seal({ triggerToken: 'x', peer: {} }, alice.key.publicKey, { transferId: p.transfer.id, role: t.role, purpose: 'trigger' }) })) };
    expect((await alice.error(alice.api.trigger(p.transfer.id, garbage))).status).toBe(400);
    expect((await alice.api.task(p.transfer.id)).state).toBe('AWAITING_TRIGGER');
    expect(listAll(path.join(stack.dirs.bInbox, 'forged'))).toEqual([]);

    await triggerAndExpectSuccess(p.transfer, p.request, path.join(stack.dirs.bInbox, 'forged', 'samples'), path.join(stack.dirs.aData, 'samples'));
  });

  it('a trigger built for another transfer is refused; each transfer still works with its own', async () => {
    const alice = stack.researcher('alice');
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'other-1'));
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'other-2'));
    const one = await alice.prepare('a-data:/samples', 'b-inbox:/other-1');
    const two = await alice.prepare('a-data:/samples', 'b-inbox:/other-2');
    const err = await alice.error(alice.api.trigger(two.transfer.id, one.request));
    expect(err.code).toBe('TRIGGER_INVALID');
    expect((await alice.api.task(two.transfer.id)).state).toBe('AWAITING_TRIGGER');
    expect((await alice.api.task(one.transfer.id)).state).toBe('AWAITING_TRIGGER');

    await triggerAndExpectSuccess(two.transfer, two.request, path.join(stack.dirs.bInbox, 'other-2', 'samples'), path.join(stack.dirs.aData, 'samples'));
    await triggerAndExpectSuccess(one.transfer, one.request, path.join(stack.dirs.bInbox, 'other-1', 'samples'), path.join(stack.dirs.aData, 'samples'));
  });

  it('a replayed trigger is refused by the core (409); straight at a gateway it re-activates nothing', async () => {
    const alice = stack.researcher('alice');
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'replay'));
    const p = await alice.prepare('a-data:/samples', 'b-inbox:/replay');
    const sourceKeys = privateKeysIn(gatewaySecretFiles(stack.dirs.aState));
    expect(sourceKeys.length).toBeGreaterThan(0);
    const peer = p.sealedParams.destination.forPeer as unknown as SftpPeer;
    await triggerAndExpectSuccess(p.transfer, p.request, path.join(stack.dirs.bInbox, 'replay', 'samples'), path.join(stack.dirs.aData, 'samples'));

    const err = await alice.error(alice.api.trigger(p.transfer.id, p.request));
    expect(err.status).toBe(409);
    expect(err.code).toBe('TRIGGER_REPLAYED');
    // Someone replaying straight at the gateways, even with a valid core signature: the very same
    // envelope may be acknowledged as an idempotent duplicate, a fresh one with the same token is a
    // replay, and neither may bring the revoked grant back.
    const urls = { source: `http://127.0.0.1:${stack.configs.a.listen.port}`, destination: `http://127.0.0.1:${stack.configs.b.listen.port}` };
    for (const t of p.request.triggers) {
      const same = await callGatewayAsCore(urls[t.role], stack.coreKey.secretKey, 'POST', `/transfers/${p.transfer.id}/trigger`, { role: t.role, envelope: t.envelope });
      if (same.status === 200) expect(same.body).toEqual({ accepted: true, duplicate: true });
      else expect(same.status).toBeGreaterThanOrEqual(400);
      const opened = p.opened.find((o) => o.offer.role === t.role)!;
      const other = p.opened.find((o) => o.offer.role !== t.role)!;
      const fresh = seal({ triggerToken: opened.params.triggerToken, peer: other.params.forPeer }, opened.offer.gateway.boxPublicKey, { transferId: p.transfer.id, role: t.role, purpose: 'trigger' });
      const replay = await callGatewayAsCore(urls[t.role], stack.coreKey.secretKey, 'POST', `/transfers/${p.transfer.id}/trigger`, { role: t.role, envelope: fresh });
      expect(replay.status).toBe(409);
      expect(replay.body.error.code).toBe('TRIGGER_REPLAYED');
    }
    for (const k of sourceKeys) expect(await trySftpLogin(peer, k)).toBe('denied');
    expect((await alice.api.task(p.transfer.id)).state).toBe('SUCCEEDED');
  });

  it('a gateway refuses calls not signed by the core', async () => {
    const res = await fetch(`http://127.0.0.1:${stack.configs.b.listen.port}/ferry/v1/transfers/x/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'destination', envelope: {} }),
    });
    expect(res.status).toBe(401);
  });
});

describe("one researcher cannot see or touch another's tasks", () => {
  it("bob cannot list, read, trigger, pause or cancel alice's transfer", async () => {
    const alice = stack.researcher('alice');
    const bob = stack.researcher('bob');
    fs.mkdirSync(path.join(stack.dirs.bInbox, 'isolation'));
    const p = await alice.prepare('a-data:/samples', 'b-inbox:/isolation');
    const id = p.transfer.id;

    expect((await bob.api.allTasks()).map((t) => t.id)).not.toContain(id);
    // one call at a time: a rejected promise nobody awaits yet would count as unhandled
    const calls = [
      () => bob.api.task(id),
      () => bob.api.getTransfer(id),
      () => bob.api.trigger(id, p.request),
      () => bob.api.control(id, 'pause'),
      () => bob.api.control(id, 'cancel'),
    ];
    for (const call of calls) {
      const err = await bob.error(call());
      expect([403, 404]).toContain(err.status);
    }
    expect((await alice.api.task(id)).state).toBe('AWAITING_TRIGGER');
    await triggerAndExpectSuccess(p.transfer, p.request, path.join(stack.dirs.bInbox, 'isolation', 'samples'), path.join(stack.dirs.aData, 'samples'));
  });
});
