import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { PrepareRequest, TunnelSpec } from '@ferry/contracts';
import { GatewayWorld } from './support/gateway-world';

/**
 * The gateway's side of stream tunnels with the real stream-tunnel plugin on both gateways: discovery
 * (GET /ferry/v1/access-points), the tunnel spec reaching the plugin, the researcher's secret reaching
 * trigger(), figures and events forwarded to the core, a REJECTED trigger failing the tunnel with
 * its message, recover() re-opening the same port after a restart.
 */
describe('gateway: stream tunnels', () => {
  let w: GatewayWorld;
  let echo: net.Server;
  let echoPort: number;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
    const plugin = (options: Record<string, unknown>) => [{ package: '@ferry/plugin-stream-tunnel', options }];
    w = await GatewayWorld.create({
      name: 'tunnel',
      // one port in A's range, so a second tunnel finds it taken
      pluginsA: plugin({ accessPoints: [{ id: 'lan', portRange: `${port}-${port}` }] }),
      pluginsB: plugin({ accessPoints: [{ id: 'svc', targets: ['127.0.0.1:*'] }], dataPort: { host: '127.0.0.1', port: 0 } }),
    });
  });
  afterAll(async () => {
    await w?.stop();
    echo?.close();
  });

  const spec = (accessPoint: string, over: Partial<TunnelSpec> = {}): Partial<PrepareRequest> => ({
    drive: '',
    path: '',
    options: { mechanism: 'stream-tunnel' },
    tunnel: { accessPoint, target: `127.0.0.1:${echoPort}`, lifetimeMinutes: 10, ...over },
  });

  /** Negotiates like the core and triggers like the researcher, with a tunnel secret per side. */
  async function openTunnel(id: string, secrets = { a: randomBytes(32), b: undefined as Buffer | undefined }) {
    const a = await w.prepare(w.a, w.prepareRequest(id, 'source', spec('lan')));
    if (!a.body.accepted) throw new Error(JSON.stringify(a.body));
    const b = await w.prepare(w.b, w.prepareRequest(id, 'destination', { ...spec('svc'), mechanism: a.body.mechanism, peerPublicParams: a.body.publicParams }));
    if (!b.body.accepted) throw new Error(JSON.stringify(b.body));
    const pa = w.researcher.openOffer(id, 'source', a.body);
    const pb = w.researcher.openOffer(id, 'destination', b.body);
    const user = (s: Buffer) => ({ tunnelSecret: s.toString('base64') });
    const tb = await w.trigger(w.b, id, 'destination', w.researcher.trigger(id, 'destination', w.b.descriptor.boxPublicKey, { triggerToken: pb.triggerToken, peer: pa.forPeer, user: user(secrets.b ?? secrets.a) }));
    expect(tb.status).toBe(200);
    return w.trigger(w.a, id, 'source', w.researcher.trigger(id, 'source', w.a.descriptor.boxPublicKey, { triggerToken: pa.triggerToken, peer: pb.forPeer, user: user(secrets.a) }));
  }

  const listenAddress = (id: string) =>
    w.core.waitFor(`listen address of ${id}`, () => w.core.reportsFor(id, 'source').map((r) => r.tunnel?.listenAddress).find(Boolean));

  it('answers GET /ferry/v1/access-points from the plugin options and the policy, signed calls only', async () => {
    expect((await w.core.call(w.a.url, 'GET', '/ferry/v1/access-points')).body).toEqual({
      providerId: 'provider-a',
      accessPoints: [
        { id: 'lan', mechanism: 'stream-tunnel', initiator: { bindHost: '127.0.0.1', portRange: `${port}-${port}`, lanSecret: false, peers: ['provider-b'] }, listener: null },
      ],
    });
    expect((await w.core.call(w.b.url, 'GET', '/ferry/v1/access-points')).body).toEqual({
      providerId: 'provider-b',
      accessPoints: [{ id: 'svc', mechanism: 'stream-tunnel', initiator: null, listener: { targets: ['127.0.0.1:*'], peers: ['provider-a'] } }],
    });
    expect((await w.core.call(w.a.url, 'GET', '/ferry/v1/access-points', undefined, { unsigned: true })).status).toBe(401);
  });

  it('refuses a target the listener does not allow at prepare, with the reason', async () => {
    const res = await w.prepare(w.b, w.prepareRequest('t-tun-policy', 'destination', { ...spec('svc', { target: '10.1.2.3:22' }), mechanism: 'stream-tunnel', peerPublicParams: {} }));
    expect(res.body).toEqual({
      accepted: false,
      code: 'REJECTED_BY_POLICY',
      reason: "target 10.1.2.3:22 is not allowed at access point 'svc' (allowed: 127.0.0.1:*)",
    });
  });

  it('fails a side whose trigger carries no usable tunnel secret, with the plugin\'s message', async () => {
    const id = 't-tun-secret';
    const a = await w.prepare(w.a, w.prepareRequest(id, 'source', spec('lan')));
    const b = await w.prepare(w.b, w.prepareRequest(id, 'destination', { ...spec('svc'), mechanism: 'stream-tunnel', peerPublicParams: a.body.publicParams }));
    const pa = w.researcher.openOffer(id, 'source', a.body);
    const pb = w.researcher.openOffer(id, 'destination', b.body);
    const short = { tunnelSecret: randomBytes(8).toString('base64') };
    const res = await w.trigger(w.b, id, 'destination', w.researcher.trigger(id, 'destination', w.b.descriptor.boxPublicKey, { triggerToken: pb.triggerToken, peer: pa.forPeer, user: short }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'REJECTED_BY_POLICY', message: 'the trigger must carry user.tunnelSecret: 32 or more random bytes, base64' });
    const failed = await w.core.waitFor('failure report', () => w.core.reportsFor(id, 'destination').find((r) => r.phase === 'failed'));
    expect(failed.error).toEqual({ code: 'REJECTED', message: 'the trigger must carry user.tunnelSecret: 32 or more random bytes, base64' });
    // the same envelope again does not start it after all
    expect((await w.status(w.b, id)).body.phase).toBe('failed');
  });

  it('carries bytes, reports figures and events, fails a second tunnel on the full port range, and re-opens the port after a restart', async () => {
    const id = 't-tun-1';
    expect((await openTunnel(id)).status).toBe(200);
    const address = await listenAddress(id);
    expect(address).toBe(`127.0.0.1:${port}`);
    expect(await echoThrough(port, 'hello through the tunnel')).toBe('hello through the tunnel');
    await w.core.waitFor('figures with the bytes', () =>
      w.core.reportsFor(id, 'source').find((r) => (r.tunnel?.bytesAtoB ?? 0) >= 24 && (r.tunnel?.connectionsTotal ?? 0) >= 1),
    );
    const types = () => w.core.reportsFor(id).flatMap((r) => (r.events ?? []).map((e) => `${r.role}:${e.type}`));
    await w.core.waitFor('events from both sides', () => types().includes('source:connection-closed') && types().includes('destination:connection-closed'));
    expect(types()).toEqual(expect.arrayContaining(['source:listening', 'source:connection-opened', 'destination:listening', 'destination:connection-opened']));

    // the only port of A's range is taken: a REJECTED trigger fails the tunnel, with the plugin's message
    const second = await openTunnel('t-tun-2');
    expect(second.status).toBe(422);
    expect(second.body.error).toMatchObject({ code: 'REJECTED_BY_POLICY', message: expect.stringContaining(`no free port in the access point's port range ${port}-${port}`) });
    const failed = await w.core.waitFor('failure report', () => w.core.reportsFor('t-tun-2', 'source').find((r) => r.phase === 'failed'));
    expect(failed.error).toEqual({ code: 'REJECTED', message: expect.stringContaining('no free port') });

    // restart: recover() listens on the same port again and a new connection goes through
    await w.stopSite(w.a);
    await expect(echoThrough(port, 'x')).rejects.toThrow();
    await w.start(w.a);
    expect(await echoThrough(port, 'after the restart')).toBe('after the restart');

    // cancel closes the listener
    expect((await w.control(w.a, id, 'cancel')).status).toBe(200);
    expect((await w.control(w.b, id, 'cancel')).status).toBe(200);
    await expect(echoThrough(port, 'x')).rejects.toThrow();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** Connects to the tunnel, sends `text`, half-closes and returns what came back. */
function echoThrough(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('connect', () => s.end(text));
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => (got.length ? resolve(Buffer.concat(got).toString()) : reject(new Error('closed without an answer'))));
  });
}
