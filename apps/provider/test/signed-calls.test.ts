import { generateSigningKeyPair, signRequest } from '@ferry/crypto';
import { GatewayWorld } from './support/gateway-world';

describe('signed calls from the core', () => {
  let w: GatewayWorld;
  const prepare = '/ferry/v1/transfers/prepare';

  beforeAll(async () => {
    w = await GatewayWorld.create({ name: 'signed' });
  });
  afterAll(async () => {
    await w?.stop();
  });

  const stored = async (id: string) => (await w.status(w.a, id)).status !== 404;

  it('publishes its descriptor unsigned', async () => {
    const res = await fetch(`${w.a.url}/.well-known/ferry-provider`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'provider-a', mechanisms: ['localcopy'], protocol: 1 });
  });

  it('refuses unsigned, forged and foreign-key calls with BAD_SIGNATURE, changing nothing', async () => {
    const body = w.prepareRequest('t-sig-1', 'source');
    const unsigned = await w.core.call(w.a.url, 'POST', prepare, body, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toMatchObject({ code: 'BAD_SIGNATURE', message: expect.stringContaining('not signed') });

    const forged = await w.core.call(w.a.url, 'POST', prepare, body, { signSecretKey: generateSigningKeyPair().secretKey });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('BAD_SIGNATURE');

    const otherKeyId = await w.core.call(w.a.url, 'POST', prepare, body, { keyId: 'provider-b' });
    expect(otherKeyId.status).toBe(401);
    expect(otherKeyId.body.error.message).toContain("unknown signing key id 'provider-b'");

    // signed over other bytes than those sent: the raw body is what is verified
    const tampered = await w.core.call(w.a.url, 'POST', prepare, body, { signedBody: JSON.stringify({ ...body, path: 'x' }) });
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.code).toBe('BAD_SIGNATURE');
    expect(await stored('t-sig-1')).toBe(false);
  });

  it('refuses a stale timestamp and says by how much the clocks differ', async () => {
    const res = await w.core.call(w.a.url, 'POST', prepare, w.prepareRequest('t-sig-2', 'source'), { now: Date.now() - 10 * 60_000 });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('STALE_TIMESTAMP');
    expect(res.body.error.message).toMatch(/behind this clock/);
    expect(res.body.error.details.skewSeconds).toBeLessThanOrEqual(-599);
    expect(await stored('t-sig-2')).toBe(false);
  });

  it('refuses a replayed request', async () => {
    const text = JSON.stringify(w.prepareRequest('t-sig-3', 'source'));
    const headers = { 'content-type': 'application/json', ...signRequest({ method: 'POST', path: prepare, body: text, keyId: 'core', signSecretKey: w.core.keys.secretKey }) };
    const first = await fetch(w.a.url + prepare, { method: 'POST', headers, body: text });
    expect(first.status).toBe(200);
    const again = await fetch(w.a.url + prepare, { method: 'POST', headers, body: text });
    expect(again.status).toBe(401);
    expect(((await again.json()) as any).error.code).toBe('REPLAYED_REQUEST');
  });

  it('signs the query string too', async () => {
    const id = 't-sig-4';
    expect((await w.prepare(w.a, w.prepareRequest(id, 'source'))).status).toBe(200);
    const ok = await w.core.call(w.a.url, 'GET', `/ferry/v1/transfers/${id}/status?role=source`);
    expect(ok).toMatchObject({ status: 200, body: { transferId: id, role: 'source', phase: 'prepared', seq: 0 } });
    const headers = signRequest({ method: 'GET', path: `/ferry/v1/transfers/${id}/status`, body: '', keyId: 'core', signSecretKey: w.core.keys.secretKey });
    const moved = await fetch(`${w.a.url}/ferry/v1/transfers/${id}/status?role=destination`, { headers: { ...headers } });
    expect(moved.status).toBe(401);
  });

  it('answers bad bodies with 4xx and the common error shape', async () => {
    const big = { ...w.prepareRequest('t-sig-5', 'source'), padding: 'x'.repeat(1024 * 1024) };
    const tooLarge = await w.core.call(w.a.url, 'POST', prepare, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');

    const notJson = await w.core.call(w.a.url, 'POST', prepare, '{"transferId":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'the request body is not valid JSON' });

    const missing = await w.core.call(w.a.url, 'POST', prepare, { transferId: 't-sig-6', role: 'sideways' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(missing.body.error.details.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^body\.role: /), expect.stringMatching(/^body\.identity: /)]));

    const badKey = await w.prepare(w.a, w.prepareRequest('t-sig-7', 'source', { userPublicKey: 'AAAA' }));
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.code).toBe('BAD_KEY');

    const noRoute = await w.core.call(w.a.url, 'GET', '/ferry/v1/nothing-here');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('NOT_FOUND');
  });
});
