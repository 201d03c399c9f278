import * as net from 'node:net';
import { MechanismError } from '@ferry/plugin-sdk';
import { closed, connect, echoServer, freePort, roundTrip, TunnelPair, until } from './helpers/tunnel-pair.helper';

async function nothingListens(port: number) {
  const err = await connect(port).then(
    (s) => (s.destroy(), null),
    (e: NodeJS.ErrnoException) => e.code,
  );
  expect(err).toBe('ECONNREFUSED');
}

describe('stream tunnel lifecycle', () => {
  let echo: { port: number; server: net.Server };
  beforeAll(async () => (echo = await echoServer()));
  afterAll(() => echo.server.close());

  it('a full port range gives a clear error naming the range', async () => {
    const low = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(low, '127.0.0.1', r)); // someone else's program
    const pair = await new TunnelPair({ portRange: `${low}-${low + 1}` }).start();
    try {
      const first = await pair.open(`127.0.0.1:${echo.port}`);
      expect(first.port).toBe(low + 1);
      const err = await pair.open(`127.0.0.1:${echo.port}`).catch((e) => e);
      expect(err).toBeInstanceOf(MechanismError);
      expect(err.message).toBe(`no free port in the access point's port range ${low}-${low + 1} on 127.0.0.1 (all 2 in use)`);
      expect(err.details).toEqual({ portRange: `${low}-${low + 1}` });
    } finally {
      squatter.close();
      await pair.stop();
    }
  });

  it('cancel closes the listener and every live connection, at both gateways', async () => {
    const pair = await new TunnelPair().start();
    try {
      const t = await pair.open(`127.0.0.1:${echo.port}`);
      const live = await Promise.all([connect(t.port), connect(t.port), connect(t.port)]);
      for (const s of live) s.on('error', () => undefined);
      // prove they are joined end to end before cancelling
      for (const s of live) {
        const echoed = new Promise((r) => s.once('data', r));
        s.write('ping');
        await echoed;
      }
      await until(() => t.hb.figures.connectionsOpen === 3, 'three connections at B');
      await pair.a.cancel(t.ha);
      await pair.b.cancel(t.hb);
      await Promise.all(live.map(closed));
      await nothingListens(t.port);
      expect(t.ha.eventsOf('stopped').map((e) => e.message)).toEqual(['cancelled']);
      expect(t.hb.eventsOf('stopped').map((e) => e.message)).toEqual(['cancelled']);
      expect(t.ha.figures).toMatchObject({ listenAddress: null, connectionsOpen: 0, connectionsTotal: 3 });
      expect(await pair.ctxA.secrets.get(`tunnel-${t.id}`)).toBeUndefined();
      // cancel again (the gateway retries): no error
      await expect(pair.a.cancel(t.ha)).resolves.toBeUndefined();
    } finally {
      await pair.stop();
    }
  });

  it('lifetime end closes live connections and completes the initiator (the task closes)', async () => {
    const pair = await new TunnelPair().start();
    try {
      const t = await pair.open(`127.0.0.1:${echo.port}`, { lifetimeMinutes: 0.03 }); // ~2 s
      const s = await connect(t.port);
      s.on('error', () => undefined);
      const echoed = new Promise((r) => s.once('data', r));
      s.write('still here');
      await echoed;
      await t.ha.done; // the plugin's own lifetime timer ends it
      expect(t.ha.completed).toEqual({ verify: 'size', files: [] });
      await closed(s);
      await nothingListens(t.port);
      expect(t.ha.eventsOf('stopped').map((e) => e.message)).toEqual(['lifetime ended']);
      await until(() => t.hb.eventsOf('stopped').length === 1, 'B stopped too');
      expect(t.hb.eventsOf('stopped')[0].message).toBe('lifetime ended');
    } finally {
      await pair.stop();
    }
  });

  it('after a gateway restart the initiator listens on the same port again and clients reconnect', async () => {
    const pair = await new TunnelPair().start();
    try {
      const t = await pair.open(`127.0.0.1:${echo.port}`);
      expect((await roundTrip(t.port, Buffer.from('before'))).toString()).toBe('before');
      const live = await connect(t.port);
      live.on('error', () => undefined);

      // both gateways go down (stop keeps persisted state and secrets) and come back
      await pair.a.stop();
      await pair.b.stop();
      await closed(live);
      await nothingListens(t.port);
      await pair.startB();
      await pair.startA();
      const ha2 = t.ha.restarted();
      const hb2 = t.hb.restarted();
      await pair.b.recover(hb2);
      await pair.a.recover(ha2);

      expect(ha2.failed).toBeNull();
      expect(ha2.figures.listenAddress).toBe(t.listen);
      expect((await roundTrip(t.port, Buffer.from('after restart'))).toString()).toBe('after restart');
      await until(() => hb2.eventsOf('connection-closed').length === 1, 'B saw the new connection');
    } finally {
      await pair.stop();
    }
  });

  it('recovering a tunnel whose lifetime passed while the gateway was down completes it without listening', async () => {
    const pair = await new TunnelPair().start();
    try {
      const t = await pair.open(`127.0.0.1:${echo.port}`);
      await pair.a.stop();
      await pair.startA();
      const ha2 = t.ha.restarted();
      await ha2.saveState({ expiresAt: new Date(Date.now() - 1000).toISOString() });
      await pair.a.recover(ha2);
      expect(ha2.completed).toEqual({ verify: 'size', files: [] });
      await nothingListens(t.port);
    } finally {
      await pair.stop();
    }
  });
});
