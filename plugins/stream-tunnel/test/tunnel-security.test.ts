import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { MechanismError } from '@ferry/plugin-sdk';
import { challengeAnswer } from '../src/tunnel-secret.util';
import { closed, connect, echoServer, roundTrip, TunnelPair, until } from './helpers/tunnel-pair.helper';
import { TunnelHandle } from './helpers/tunnel-handle.helper';

/** A raw TLS client speaking the leg protocol by hand, as an attacker (or a replaying middlebox) would. */
async function rawLeg(port: number, fingerprint: string) {
  const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await new Promise<void>((r, j) => (s.once('secureConnect', () => r()), s.once('error', j)));
  expect(crypto.createHash('sha256').update(s.getPeerCertificate(true).raw).digest('hex')).toBe(fingerprint);
  let buf = '';
  const lines: string[] = [];
  s.on('data', (d) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const nextLine = async () => {
    await until(() => lines.length > 0 || s.destroyed, 'a line from the listener');
    return lines.shift();
  };
  const ended = new Promise<void>((r) => (s.on('end', () => r()), s.on('close', () => r())));
  const hello = JSON.parse((await nextLine())!);
  return { s, nonce: Buffer.from(hello.nonce, 'base64'), nextLine, ended };
}

describe('stream tunnel security', () => {
  const pair = new TunnelPair({ targets: ['127.0.0.1:*', '10.0.0.5:5432'] });
  let echo: { port: number; server: net.Server };
  beforeAll(async () => {
    await pair.start();
    echo = await echoServer();
  });
  afterAll(async () => {
    echo.server.close();
    await pair.stop();
  });

  it('refuses a wrong answer and a replayed (captured) answer; counts each refusal as an event', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`);
    const secret = Buffer.from(t.secret, 'base64');
    const fp = t.forPeer.certFingerprint as string;

    // 1. a legitimate leg: the answer to this nonce is accepted and bytes flow
    const good = await rawLeg(pair.dataPort, fp);
    const captured = challengeAnswer(secret, good.nonce, t.id).toString('base64');
    good.s.write(JSON.stringify({ tunnel: t.id, answer: captured }) + '\n');
    expect(JSON.parse((await good.nextLine())!)).toEqual({ ok: true });
    good.s.end();

    // 2. the captured answer replayed on a new connection (new nonce): refused
    const replay = await rawLeg(pair.dataPort, fp);
    expect(replay.nonce.equals(good.nonce)).toBe(false);
    replay.s.write(JSON.stringify({ tunnel: t.id, answer: captured }) + '\n');
    expect(JSON.parse((await replay.nextLine())!)).toEqual({ ok: false, error: 'authentication failed' });
    await replay.ended;

    // 3. an answer made with the wrong secret: refused
    const wrong = await rawLeg(pair.dataPort, fp);
    const bad = challengeAnswer(crypto.randomBytes(32), wrong.nonce, t.id).toString('base64');
    wrong.s.write(JSON.stringify({ tunnel: t.id, answer: bad }) + '\n');
    expect(JSON.parse((await wrong.nextLine())!).ok).toBe(false);
    await wrong.ended;

    await until(() => t.hb.eventsOf('connection-refused').length === 2, 'two refusal events at B');
    expect(t.hb.eventsOf('connection-refused').every((e) => e.message.includes('wrong answer'))).toBe(true);
    expect(t.hb.eventsOf('connection-opened')).toHaveLength(1);
  });

  it('a leg for another tunnel cannot use this tunnel\'s answer (the tunnel id is in the HMAC)', async () => {
    const t1 = await pair.open(`127.0.0.1:${echo.port}`);
    const t2 = await pair.open(`127.0.0.1:${echo.port}`, { secret: t1.secret });
    const leg = await rawLeg(pair.dataPort, t1.forPeer.certFingerprint as string);
    const forT1 = challengeAnswer(Buffer.from(t1.secret, 'base64'), leg.nonce, t1.id).toString('base64');
    leg.s.write(JSON.stringify({ tunnel: t2.id, answer: forT1 }) + '\n');
    expect(JSON.parse((await leg.nextLine())!).ok).toBe(false);
    await until(() => t2.hb.eventsOf('connection-refused').length === 1, 'refusal at B for t2');
  });

  it('the initiator refuses a listener whose certificate does not match the pinned fingerprint', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`, { peerPatch: { certFingerprint: 'ab'.repeat(32) } });
    const s = await connect(t.port);
    s.on('error', () => undefined);
    s.write('must not arrive');
    await closed(s);
    await until(() => t.ha.eventsOf('connection-refused').length === 1, 'refusal at A');
    expect(t.ha.eventsOf('connection-refused')[0].message).toContain('does not match the pinned fingerprint');
    // the leg was cut before the challenge: B never saw an answer
    expect(t.hb.eventsOf('connection-refused')).toHaveLength(0);
    expect(t.hb.figures.connectionsTotal).toBe(0);
  });

  it('different secrets at the two sides: every application connection is refused', async () => {
    const id = crypto.randomUUID();
    const ha = new TunnelHandle(id, 'source', { accessPoint: 'instrument', target: `127.0.0.1:${echo.port}`, lifetimeMinutes: 5 });
    const hb = new TunnelHandle(id, 'destination', { accessPoint: 'analysis', target: `127.0.0.1:${echo.port}`, lifetimeMinutes: 5 });
    const pa = await pair.a.prepareSource(ha);
    ha.setState(pa.state);
    const pb = await pair.b.prepareDestination(hb, pa.publicParams);
    hb.setState(pb.state);
    await pair.b.trigger(hb, pa.forPeer, { tunnelSecret: crypto.randomBytes(32).toString('base64') });
    await pair.a.trigger(ha, pb.forPeer, { tunnelSecret: crypto.randomBytes(32).toString('base64') });
    const port = Number(ha.figures.listenAddress!.split(':')[1]);
    const reply = await roundTrip(port, Buffer.from('hello')).catch(() => Buffer.alloc(0));
    expect(reply.length).toBe(0);
    await until(() => hb.eventsOf('connection-refused').length === 1, 'refusal at B');
    expect(ha.eventsOf('connection-refused')[0].message).toContain('authentication failed');
  });

  it('a target outside the access point\'s allowed list is refused at prepare, with a reason', async () => {
    const id = crypto.randomUUID();
    for (const target of ['10.0.0.5:22', '10.0.0.6:5432', '192.168.1.1:80']) {
      const hb = new TunnelHandle(id, 'destination', { accessPoint: 'analysis', target, lifetimeMinutes: 5 });
      const err = await pair.b.prepareDestination(hb, { accessPoint: 'instrument' }).catch((e) => e);
      expect(err).toBeInstanceOf(MechanismError);
      expect(err.code).toBe('REJECTED');
      expect(err.message).toContain(`target ${target} is not allowed at access point 'analysis'`);
    }
    const ok = new TunnelHandle(id, 'destination', { accessPoint: 'analysis', target: '10.0.0.5:5432', lifetimeMinutes: 5 });
    await expect(pair.b.prepareDestination(ok, {})).resolves.toMatchObject({ forPeer: { tunnelId: id, dataPort: pair.dataPort } });
  });

  it('a listener-only access point (no port range) cannot start a tunnel', async () => {
    const ha = new TunnelHandle('x', 'source', { accessPoint: 'analysis', target: '127.0.0.1:1', lifetimeMinutes: 5 });
    await expect(pair.b.prepareSource(ha)).rejects.toThrow("access point 'analysis' has no port range");
  });

  it('an unknown access point is refused at prepare on either side', async () => {
    const ha = new TunnelHandle('x', 'source', { accessPoint: 'nope', target: '127.0.0.1:1', lifetimeMinutes: 5 });
    await expect(pair.a.prepareSource(ha)).rejects.toThrow("access point 'nope' does not exist at this site (known: instrument)");
    const hb = new TunnelHandle('x', 'destination', { accessPoint: 'nope', target: '127.0.0.1:1', lifetimeMinutes: 5 });
    await expect(pair.b.prepareDestination(hb, {})).rejects.toThrow("access point 'nope' does not exist");
  });

  it('a trigger without a proper tunnel secret is refused', async () => {
    const id = crypto.randomUUID();
    const hb = new TunnelHandle(id, 'destination', { accessPoint: 'analysis', target: `127.0.0.1:${echo.port}`, lifetimeMinutes: 5 });
    hb.setState((await pair.b.prepareDestination(hb, {})).state);
    await expect(pair.b.trigger(hb, {}, { tunnelSecret: 'c2hvcnQ=' })).rejects.toThrow('user.tunnelSecret');
    await expect(pair.b.trigger(hb, {}, undefined)).rejects.toThrow('user.tunnelSecret');
  });

  it('never writes the tunnel secret to logs, and keeps it in 0600 secret files', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`);
    await roundTrip(t.port, Buffer.from('x'));
    const logs = [...pair.ctxA.logger.lines, ...pair.ctxB.logger.lines].join('\n');
    expect(logs).not.toContain(t.secret);
    expect(await pair.ctxA.secrets.get(`tunnel-${t.id}`)).toBe(t.secret);
    expect(await pair.ctxB.secrets.get(`tunnel-${t.id}`)).toBe(t.secret);
    expect(JSON.stringify(t.ha.state)).not.toContain(t.secret);
    expect(JSON.stringify(t.hb.state)).not.toContain(t.secret);
    await pair.a.finalize(t.ha, 'cancelled');
    await pair.b.finalize(t.hb, 'cancelled');
    expect(await pair.ctxA.secrets.get(`tunnel-${t.id}`)).toBeUndefined();
    expect(await pair.ctxB.secrets.get(`tunnel-${t.id}`)).toBeUndefined();
  });
});

describe('LAN secret on an access point', () => {
  const pair = new TunnelPair({ lanSecret: true });
  let echo: { port: number; server: net.Server };
  beforeAll(async () => {
    await pair.start();
    echo = await echoServer();
  });
  afterAll(async () => {
    echo.server.close();
    await pair.stop();
  });

  it('applications must send the LAN secret line first; without it they are cut off', async () => {
    const t = await pair.open(`127.0.0.1:${echo.port}`, { user: { lanSecret: 'correct horse battery staple' } });
    const ok = await roundTrip(t.port, Buffer.from('correct horse battery staple\nhello through'));
    expect(ok.toString()).toBe('hello through'); // the secret line is consumed at A, never forwarded
    const refused = await roundTrip(t.port, Buffer.from('wrong secret\nhello')).catch(() => Buffer.alloc(0));
    expect(refused.length).toBe(0);
    await until(() => t.ha.eventsOf('connection-refused').length === 1, 'refusal at A');
    expect(t.ha.eventsOf('connection-refused')[0].message).toContain('LAN secret');
  });
});
