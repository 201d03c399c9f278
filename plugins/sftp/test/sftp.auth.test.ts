import { promises as fs } from 'node:fs';
import type { Client } from 'ssh2';
import { generateEd25519KeyPair } from '../src/keys/ssh-key.util';
import { liveGrant, startPair, type Pair } from './grant-fixture.util';
import { probeGrant } from './probe-grant.util';
import { ok, openSftp, outcome, rawConnect } from './raw-client.util';

const refused = (p: Promise<Client>) =>
  p.then(
    (c) => {
      c.end();
      return false;
    },
    () => true,
  );

describe('sftp embedded server: who may log in, and what a session may do', () => {
  let pair: Pair;

  beforeAll(async () => {
    pair = await startPair({ grantLifetimeSeconds: 3600 });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('lets the granted key with the grant token in (the control case)', async () => {
    const g = await liveGrant(pair);
    const client = await rawConnect(g.login);
    const sftp = await openSftp(client);
    expect(await ok<string>((cb) => sftp.realpath('/', cb))).toBe('/');
    client.end();
  });

  it('refuses a key that was not granted, even with the right user and token', async () => {
    const g = await liveGrant(pair);
    const stranger = generateEd25519KeyPair('stranger').privateKey;
    expect(await refused(rawConnect({ ...g.login, privateKey: stranger }))).toBe(true);
  });

  it('refuses the key alone, the token alone, and a wrong token', async () => {
    const g = await liveGrant(pair);
    expect(await refused(rawConnect({ ...g.login, password: undefined as never }))).toBe(true);
    expect(await refused(rawConnect({ ...g.login, privateKey: undefined as never }))).toBe(true);
    expect(await refused(rawConnect({ ...g.login, password: g.login.password.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x')) }))).toBe(true);
  });

  it("refuses credentials mixed across transfers (one transfer's key, another's grant)", async () => {
    const a = await liveGrant(pair);
    const b = await liveGrant(pair);
    expect(await refused(rawConnect({ ...b.login, privateKey: a.login.privateKey }))).toBe(true);
    expect(await refused(rawConnect({ ...a.login, password: b.login.password }))).toBe(true);
    expect(await refused(rawConnect({ ...a.login, username: b.login.username }))).toBe(true);
  });

  it('refuses a grant that is prepared but not yet triggered', async () => {
    const t = await pair.transfer({ sourcePath: 'small' });
    await t.prepare();
    const forPeer = t.destinationPrep!.forPeer;
    const secrets = await pair.source.parts.secrets.snapshot();
    expect(await probeGrant(forPeer, t.id, secrets)).toBe(false);
    await t.triggerDestination();
    expect(await probeGrant(forPeer, t.id, secrets)).toBe(true);
    await t.finalize('expired');
  });

  it('refuses an expired grant, and ends a session that outlives its grant', async () => {
    const g = await liveGrant(pair);
    const client = await rawConnect(g.login);
    const sftp = await openSftp(client);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    pair.destination.parts.clock.advance(3601 * 1000);
    try {
      expect(await refused(rawConnect(g.login))).toBe(true);
      expect(await outcome((cb) => sftp.stat('/', cb))).not.toBeNull();
      await closed;
    } finally {
      pair.destination.parts.clock.advance(-3601 * 1000);
    }
  });

  it('ends an idle session once its grant has expired, without any request from it', async () => {
    const g = await liveGrant(pair);
    const client = await rawConnect(g.login);
    await openSftp(client);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    pair.destination.parts.clock.advance(3601 * 1000);
    try {
      await closed; // the server's sweep notices; nothing on the client side asked
    } finally {
      pair.destination.parts.clock.advance(-3601 * 1000);
    }
  });

  it('ends open sessions when the grant is revoked (cancel)', async () => {
    const g = await liveGrant(pair);
    const client = await rawConnect(g.login);
    const sftp = await openSftp(client);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    expect(await ok<string>((cb) => sftp.realpath('.', cb))).toBe('/');
    await g.t.destinationPlugin.cancel(g.t.destination);
    await closed; // the server ended the connection (an SFTP call on it would never be answered)
    expect(await refused(rawConnect(g.login))).toBe(true);
  });

  it.each([
    ['a wrong grant token', { grantToken: 'x'.repeat(43) }],
    ["another server's host key", { hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43) }],
    ['a malformed port', { port: 'twenty-two' }],
  ])('fails the source with AUTH_FAILED on %s, and nothing is written', async (_what, tamper) => {
    const t = await pair.transfer({ sourcePath: 'small' });
    await t.prepare();
    await t.triggerDestination();
    const forged = { ...t.destinationPrep!.forPeer, ...tamper };
    const thrown = await t.triggerSource(forged).then(
      () => null,
      (e: { code?: string }) => e,
    );
    if (thrown) {
      expect(thrown.code).toBe('AUTH_FAILED');
    } else {
      await t.waitForEnd();
      expect(t.source.record.failures.map((f) => f.code)).toEqual(['AUTH_FAILED']);
    }
    expect(await fs.readdir(t.destination.localPath)).toEqual([]);
    await t.finalize('failed');
  });

  it('offers no shell, no exec and no forwarding', async () => {
    const g = await liveGrant(pair);
    const client = await rawConnect(g.login);
    try {
      expect(await outcome((cb) => client.exec('id', cb))).not.toBeNull();
      expect(await outcome((cb) => client.shell(cb))).not.toBeNull();
      expect(await outcome((cb) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', g.login.port, cb))).not.toBeNull();
      expect(await outcome((cb) => client.forwardIn('127.0.0.1', 0, cb))).not.toBeNull();
      expect(await outcome((cb) => client.openssh_forwardOutStreamLocal('/tmp/ferry-nope.sock', cb))).not.toBeNull();
      // the connection is still good for what it is for
      const sftp = await openSftp(client);
      expect(await ok<string>((cb) => sftp.realpath('.', cb))).toBe('/');
    } finally {
      client.end();
    }
  });
});
