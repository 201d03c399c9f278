import { generateBoxKeyPair, seal } from '@ferry/crypto';
import type { CoreHarness } from '../support/core-harness';
import { TOKENS, waitFor } from '../support/core-harness';

export function triggerSuite(get: () => CoreHarness): void {
  const trigger = (id: string, body: unknown, token = TOKENS.alice) => get().api(token, 'POST', `/api/transfers/${id}/trigger`, body);

  it('relays the destination trigger first, then the source, and moves to STARTING', async () => {
    const h = get();
    const view = await h.createTransfer();
    const r = await trigger(view.id, h.triggersFor(view));
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('STARTING');
    const relayed = h.calls.filter((c) => c.path === `/ferry/v1/transfers/${view.id}/trigger`);
    expect(relayed.map((c) => [c.provider, c.body.role])).toEqual([
      ['provider-b', 'destination'],
      ['provider-a', 'source'],
    ]);
  });

  it('refuses a second trigger with 409 TRIGGER_REPLAYED', async () => {
    const h = get();
    const view = await h.createTransfer();
    const body = h.triggersFor(view);
    expect((await trigger(view.id, body)).status).toBe(200);
    const again = await trigger(view.id, body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TRIGGER_REPLAYED');
  });

  it('refuses a trigger for a transfer that is not awaiting one (409 INVALID_STATE)', async () => {
    const h = get();
    h.gwB.prepare = { accept: false, code: 'REJECTED_BY_POLICY', reason: 'no' };
    const rejected = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest());
    const id = rejected.body.error.details.transferId;
    const env = seal({ x: 1 }, h.gwA.box.publicKey, { transferId: id, role: 'source', purpose: 'trigger' });
    const r = await trigger(id, { triggers: [{ role: 'source', envelope: env }] });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('INVALID_STATE');
  });

  it('needs exactly one trigger per offer (400) and well-formed envelopes (400)', async () => {
    const h = get();
    const view = await h.createTransfer();
    const both = h.triggersFor(view);
    const one = await trigger(view.id, { triggers: [both.triggers[0]] });
    expect(one.status).toBe(400);
    expect(one.body.error.code).toBe('VALIDATION_FAILED');
    const twice = await trigger(view.id, { triggers: [both.triggers[0], both.triggers[0]] });
    expect(twice.status).toBe(400);
    const bad = await trigger(view.id, { triggers: [{ role: 'source', envelope: { v: 2 } }, both.triggers[1]] });
    expect(bad.status).toBe(400);
    expect(h.calls.filter((c) => c.path.endsWith(`${view.id}/trigger`))).toEqual([]);
  });

  it("passes a gateway's TRIGGER_INVALID through and stays AWAITING_TRIGGER", async () => {
    const h = get();
    const view = await h.createTransfer();
    const wrong = generateBoxKeyPair(); // sealed to a key the gateway does not hold
    const body = {
      triggers: [
        { role: 'destination', envelope: seal({ triggerToken: 'x', peer: {} }, wrong.publicKey, { transferId: view.id, role: 'destination', purpose: 'trigger' }) },
        h.triggersFor(view).triggers.find((t) => t.role === 'source'),
      ],
    };
    const r = await trigger(view.id, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('TRIGGER_INVALID');
    expect(r.body.error.message).toContain('provider-b');
    expect((await h.task(view.id)).state).toBe('AWAITING_TRIGGER');
    // the researcher can still send the right triggers
    expect((await trigger(view.id, h.triggersFor(view))).status).toBe(200);
  });

  it('answers 502 when a gateway is down at trigger time; a retry then succeeds', async () => {
    const h = get();
    const view = await h.createTransfer();
    const body = h.triggersFor(view);
    await h.gwA.stop();
    const down = await trigger(view.id, body);
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('PROVIDER_UNAVAILABLE');
    expect((await h.task(view.id)).state).toBe('AWAITING_TRIGGER');
    await h.gwA.start();
    const retry = await trigger(view.id, body);
    expect(retry.status).toBe(200);
    expect(retry.body.state).toBe('STARTING');
  });

  it('expires an untriggered transfer after its deadline: EXPIRED, both gateways finalize, trigger -> 410', async () => {
    const h = get();
    const view = await h.createTransfer();
    // the deadline passing, without waiting 15 minutes
    await h.sql(`UPDATE transfers SET trigger_deadline = now() - interval '1 second' WHERE id = $1`, [view.id]);
    const t = await waitFor('expiry', async () => {
      const task = await h.task(view.id);
      return task.state === 'EXPIRED' ? task : undefined;
    });
    expect(t.error.code).toBe('EXPIRED');
    expect(t.operations).toEqual([]);
    await waitFor('finalize expired at both', async () =>
      h.gwA.callsTo('/finalize', view.id).length && h.gwB.callsTo('/finalize', view.id).length ? true : undefined,
    );
    expect(h.gwB.callsTo('/finalize', view.id)[0].body).toMatchObject({ outcome: 'expired', role: 'destination' });
    expect(h.gwA.callsTo('/finalize', view.id)[0].body).toMatchObject({ outcome: 'expired', role: 'source' });
    const late = await trigger(view.id, h.triggersFor(view));
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('EXPIRED');
  });

  it('a trigger arriving after the deadline but before the sweeper expires it at once (410)', async () => {
    const h = get();
    const view = await h.createTransfer();
    await h.sql(`UPDATE transfers SET trigger_deadline = now() - interval '1 second' WHERE id = $1`, [view.id]);
    const late = await trigger(view.id, h.triggersFor(view));
    expect(late.status).toBe(410);
    expect((await h.task(view.id)).state).toBe('EXPIRED');
    expect(h.calls.filter((c) => c.path.endsWith(`${view.id}/trigger`))).toEqual([]);
  });
}
