import * as path from 'node:path';
import { generateBoxKeyPair, seal } from '@ferry/crypto';
import { GatewayWorld, writeTree } from './support/gateway-world';
import { fixtureLog } from './fixtures/local-copy/fixture-log';

describe('trigger', () => {
  let w: GatewayWorld;

  beforeAll(async () => {
    w = await GatewayWorld.create({ name: 'trigger', customizeB: (c) => (c.plugins = [{ package: c.plugins[0].package, options: { flakyTrigger: true } }]) });
    writeTree(path.join(w.a.driveDir, 'set'), { 'one.txt': 'one' });
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('refuses an envelope it cannot open', async () => {
    const id = 't-trig-1';
    const n = await w.negotiate(id, { path: 'set' });
    const forged = w.researcher.trigger(id, 'source', generateBoxKeyPair().publicKey, { triggerToken: n.sealedA.triggerToken, peer: n.sealedB.forPeer });
    const res = await w.trigger(w.a, id, 'source', forged);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'TRIGGER_INVALID', message: "the trigger cannot be opened with this gateway's key" });
    expect(fixtureLog.count('trigger', id)).toBe(0);
  });

  it('refuses an envelope bound to another transfer or role', async () => {
    const id = 't-trig-2';
    const n = await w.negotiate(id, { path: 'set' });
    const other = w.researcher.trigger(id, 'source', w.a.descriptor.boxPublicKey, { triggerToken: n.sealedA.triggerToken, peer: {} }, { transferId: 't-trig-other' });
    const res = await w.trigger(w.a, id, 'source', other);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TRIGGER_INVALID');
    expect(res.body.error.message).toContain('bound to another transfer or role');
    const wrongRole = w.researcher.trigger(id, 'source', w.a.descriptor.boxPublicKey, { triggerToken: n.sealedA.triggerToken, peer: {} }, { role: 'destination' });
    expect((await w.trigger(w.a, id, 'source', wrongRole)).body.error.code).toBe('TRIGGER_INVALID');
  });

  it("refuses another transfer's token", async () => {
    const id = 't-trig-3';
    await w.negotiate(id, { path: 'set' });
    const env = w.researcher.trigger(id, 'source', w.a.descriptor.boxPublicKey, { triggerToken: 'not-the-token', peer: {} });
    const res = await w.trigger(w.a, id, 'source', env);
    expect(res.body.error).toEqual({ code: 'TRIGGER_INVALID', message: 'the trigger token does not match this transfer' });
  });

  it('treats the same envelope again as a retry and another one as a replay', async () => {
    const id = 't-trig-4';
    const n = await w.negotiate(id, { path: 'set' });
    const first = await w.trigger(w.b, id, 'destination', n.envelopes.destination);
    expect(first).toEqual({ status: 200, body: { accepted: true, duplicate: false } });
    const retry = await w.trigger(w.b, id, 'destination', n.envelopes.destination);
    expect(retry).toEqual({ status: 200, body: { accepted: true, duplicate: true } });
    // same token, freshly sealed: a valid envelope, but not the one that was accepted
    const resealed = w.researcher.trigger(id, 'destination', w.b.descriptor.boxPublicKey, { triggerToken: n.sealedB.triggerToken, peer: n.sealedA.forPeer });
    const replay = await w.trigger(w.b, id, 'destination', resealed);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('TRIGGER_REPLAYED');
    // B's plugin failed the first attempt with a 'retry' error; the guard retried it once
    expect(fixtureLog.calls.filter((c) => c.transferId === id && c.method === 'trigger' && c.role === 'destination')).toHaveLength(2);
    const metrics = await w.core.call(w.b.url, 'GET', '/ferry/v1/metrics');
    expect(metrics.body.localcopy).toMatchObject({ retries: expect.any(Number), errors: { PEER_UNREACHABLE: expect.any(Number) } });
    expect(metrics.body.localcopy.retries).toBeGreaterThanOrEqual(1);
  });

  it('refuses a trigger after the deadline, and the sweep expires the preparation', async () => {
    const id = 't-trig-5';
    const past = new Date(Date.now() - 1000).toISOString();
    const n = await w.negotiate(id, { path: 'set', triggerDeadline: past }, { triggerDeadline: past });
    const res = await w.trigger(w.a, id, 'source', n.envelopes.source);
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('EXPIRED');
    for (const site of [w.a, w.b]) {
      await w.core.until('the sweep to expire it', async () => (await w.status(site, id)).body.phase === 'finalized');
    }
    // plugin.cancel then plugin.finalize('expired') at both sides
    expect(fixtureLog.calls.filter((c) => c.transferId === id && ['cancel', 'finalize'].includes(c.method)).map((c) => `${c.role}:${c.method}`).sort()).toEqual([
      'destination:cancel',
      'destination:finalize',
      'source:cancel',
      'source:finalize',
    ]);
    // the core's own finalize 'expired' later gets the stored answer
    expect((await w.finalize(w.b, id, { outcome: 'expired' })).body).toEqual({ ok: true });
  });

  it("asks the plugin to cancel and finalize once when several finalizes arrive together (the core's and the expiry's)", async () => {
    const id = 't-trig-7';
    const past = new Date(Date.now() - 1000).toISOString();
    await w.negotiate(id, { path: 'set', triggerDeadline: past }, { triggerDeadline: past });
    // the core's finalize 'expired', repeated while the first is still running, and the sweep due too
    const answers = await Promise.all([
      ...[1, 2, 3, 4].map(() => w.finalize(w.a, id, { outcome: 'expired', role: 'source' })),
      ...[1, 2, 3, 4].map(() => w.finalize(w.b, id, { outcome: 'expired', role: 'destination' })),
    ]);
    for (const a of answers) expect(a).toEqual({ status: 200, body: { ok: true } });
    for (const site of [w.a, w.b]) {
      await w.core.until('the sweep to have passed', async () => (await w.status(site, id)).body.phase === 'finalized');
    }
    expect(fixtureLog.calls.filter((c) => c.transferId === id && ['cancel', 'finalize'].includes(c.method)).map((c) => `${c.role}:${c.method}`).sort()).toEqual([
      'destination:cancel',
      'destination:finalize',
      'source:cancel',
      'source:finalize',
    ]);
  });

  it('refuses to trigger a cancelled transfer, and an unknown one', async () => {
    const id = 't-trig-6';
    const n = await w.negotiate(id, { path: 'set' });
    expect((await w.control(w.a, id, 'cancel')).body).toMatchObject({ phase: 'cancelled' });
    const res = await w.trigger(w.a, id, 'source', n.envelopes.source);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVALID_STATE');
    expect((await w.trigger(w.a, 't-nope', 'source', n.envelopes.source)).status).toBe(404);
  });

  it('refuses an envelope of the wrong shape', async () => {
    const res = await w.trigger(w.a, 't-trig-6', 'source', { v: 2, nope: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const garbage = seal({ something: 'else' }, w.a.descriptor.boxPublicKey, { transferId: 't-trig-1', role: 'source', purpose: 'trigger' });
    expect((await w.trigger(w.a, 't-trig-1', 'source', garbage)).body.error.code).toBe('TRIGGER_INVALID');
  });
});
