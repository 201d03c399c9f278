import * as net from 'node:net';
import { closed, connect, echoServer, listen, TunnelPair, until } from './helpers/tunnel-pair.helper';

/** Errors on one side close the other; idle connections and connections over the limit are cut. */
describe('stream tunnel error propagation and limits', () => {
  const pair = new TunnelPair({ maxConnectionsPerTunnel: 2, idleTimeoutSeconds: 1 });
  let echo: { port: number; server: net.Server };
  beforeAll(async () => {
    await pair.start();
    echo = await echoServer();
  });
  afterAll(async () => {
    echo.server.close();
    await pair.stop();
  });

  it('a reset by the target closes the application connection at A', async () => {
    const targetSockets: net.Socket[] = [];
    const server = net.createServer((s) => (targetSockets.push(s), s.on('error', () => undefined)));
    const t = await pair.open(`127.0.0.1:${await listen(server)}`);
    const app = await connect(t.port);
    app.on('error', () => undefined);
    await until(() => targetSockets.length === 1, 'target connection');
    targetSockets[0].resetAndDestroy();
    await closed(app);
    await until(() => t.ha.figures.connectionsOpen === 0, 'A counts it closed');
    server.close();
  });

  it('an application that vanishes (reset) closes the connection to the target at B', async () => {
    const targetClosed: Promise<void>[] = [];
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      targetClosed.push(closed(s));
    });
    const t = await pair.open(`127.0.0.1:${await listen(server)}`);
    const app = await connect(t.port);
    app.write('hello');
    await until(() => targetClosed.length === 1, 'target connection');
    app.resetAndDestroy();
    await targetClosed[0];
    await until(() => t.hb.figures.connectionsOpen === 0, 'B counts it closed');
    server.close();
  });

  it('connections beyond maxConnectionsPerTunnel are refused and counted', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`);
    const held = [await connect(t.port), await connect(t.port)];
    for (const s of held) {
      const echoed = new Promise((r) => s.once('data', r));
      s.write('x');
      await echoed;
    }
    const third = await connect(t.port);
    third.on('error', () => undefined);
    await closed(third);
    expect(t.ha.eventsOf('connection-refused')[0].message).toContain('more than 2 connections');
    for (const s of held) s.destroy();
  });

  it('an idle connection is closed after idleTimeoutSeconds', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`);
    const s = await connect(t.port);
    s.on('error', () => undefined);
    const echoed = new Promise((r) => s.once('data', r));
    s.write('x');
    await echoed;
    await closed(s); // nothing more is sent: the idle timer ends it
    await until(() => t.ha.eventsOf('connection-closed').length === 1, 'closed event');
    expect(t.ha.eventsOf('connection-closed')[0].message).toContain('idle timeout');
  });
});
