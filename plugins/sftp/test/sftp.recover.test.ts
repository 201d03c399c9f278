import { createServer } from 'node:net';
import * as path from 'node:path';
import { PluginPair, readTree, writeTree } from '@ferry/plugin-sdk/testing';
import plugin, { type SftpOptions } from '@ferry/plugin-sftp';
import { probeGrant } from './probe-grant.util';

/** a port free right now, so the destination's server comes back where the source expects it */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('sftp destination gateway restart', () => {
  let pair: PluginPair<SftpOptions>;

  beforeAll(async () => {
    const port = await freePort();
    pair = await PluginPair.start(plugin, (role) => ({
      embeddedServer: { host: '127.0.0.1', port: role === 'destination' ? port : 0 },
      grantLifetimeSeconds: 3600,
    }));
    await writeTree(path.join(pair.source.driveRoot, 'data'), { 'a.txt': 'a\n', sub: { 'b.txt': 'b\n' } });
  });
  afterAll(async () => {
    await pair?.stop();
  });

  it('keeps the host key and the grant: the source gets in after the restart and the transfer completes', async () => {
    const t = await pair.transfer({ sourcePath: 'data' });
    await t.prepare();
    await t.triggerDestination();
    [t.destination] = await pair.destination.restart([t.destination]);
    await t.destinationPlugin.recover(t.destination);
    await t.triggerSource();
    await t.waitForEnd();
    expect(t.source.record.failures).toEqual([]);
    expect([...(await readTree(t.destination.localPath)).keys()]).toEqual(['data', 'data/a.txt', 'data/sub', 'data/sub/b.txt']);
    expect((await t.finalize('succeeded')).destination).toMatchObject({ ok: true });
  });

  it('finds an active grant for a login that comes before recover()', async () => {
    const t = await pair.transfer({ sourcePath: 'data' });
    await t.prepare();
    await t.triggerDestination();
    const secrets = await pair.source.parts.secrets.snapshot();
    [t.destination] = await pair.destination.restart([t.destination]);
    expect(await probeGrant(t.destinationPrep!.forPeer, t.id, secrets)).toBe(true);
    await t.finalize('expired');
    expect(await probeGrant(t.destinationPrep!.forPeer, t.id, secrets)).toBe(false);
  });

  it('revokes a grant that expired while the gateway was down, and fails the transfer', async () => {
    const t = await pair.transfer({ sourcePath: 'data' });
    await t.prepare();
    await t.triggerDestination();
    const secrets = await pair.source.parts.secrets.snapshot();
    pair.destination.parts.clock.advance(3601 * 1000);
    try {
      [t.destination] = await pair.destination.restart([t.destination]);
      await t.destinationPlugin.recover(t.destination);
      expect(t.destination.record.failures.map((f) => f.code)).toEqual(['INVALID_STATE']);
      expect(t.destination.state.grant).toMatchObject({ status: 'revoked' });
      expect(await probeGrant(t.destinationPrep!.forPeer, t.id, secrets)).toBe(false);
    } finally {
      pair.destination.parts.clock.advance(-3601 * 1000);
    }
    await t.finalize('failed');
  });
});
