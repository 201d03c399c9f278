import * as fs from 'node:fs';
import * as path from 'node:path';
import { GatewayWorld, LOCALCOPY, LOCALCOPY_LITE, writeTree } from './support/gateway-world';
import { fixtureLog } from './fixtures/local-copy/fixture-log';

describe('prepare: policy, mechanism choice and paths', () => {
  let w: GatewayWorld;
  let outside: string;

  beforeAll(async () => {
    w = await GatewayWorld.create({
      name: 'prepare',
      // localcopy-lite prepares slowly here (a preparation under way when the expiry sweep runs)
      pluginsA: [{ package: LOCALCOPY }, { package: LOCALCOPY_LITE, options: { prepareDelayMs: 300 } }],
      pluginsB: [{ package: LOCALCOPY_LITE }, { package: LOCALCOPY }],
      customizeA: (c) =>
        c.drives!.push({
          id: 'remote',
          plugin: 'localcopy',
          attributes: { listing: { 'x': [{ name: 'b.txt', type: 'file', size: 3, modified: '2026-01-01T00:00:00.000Z' }, { name: 'a', type: 'dir', size: 0, modified: '2026-01-01T00:00:00.000Z' }] } },
        }),
    });
    writeTree(w.a.driveDir, { 'ok/file.txt': 'data', 'plain.txt': 'x' });
    outside = path.join(w.root, 'outside');
    writeTree(outside, { 'secret.txt': 'not yours' });
    fs.symlinkSync(outside, path.join(w.a.driveDir, 'escape'));
    fs.symlinkSync(path.join(outside, 'nothing-yet'), path.join(w.a.driveDir, 'dangling'));
    fs.symlinkSync('ok', path.join(w.a.driveDir, 'inside-link'));
    fs.symlinkSync(outside, path.join(w.b.driveDir, 'escape'));
    writeTree(w.b.driveDir, { 'a-file': 'x' });
  });
  afterAll(async () => {
    await w?.stop();
  });

  const source = (id: string, over = {}) => w.prepare(w.a, w.prepareRequest(id, 'source', over));
  const destination = (id: string, over = {}) =>
    w.prepare(w.b, w.prepareRequest(id, 'destination', { mechanism: 'localcopy', peerPublicParams: { copier: 'localcopy' }, ...over }));

  describe('policy', () => {
    it('refuses a peer without an agreement, with the reason', async () => {
      const peer = { ...w.peerOf(w.b), providerId: 'provider-c' };
      expect((await source('t-pol-1', { peer })).body).toEqual({
        accepted: false,
        code: 'REJECTED_BY_POLICY',
        reason: 'provider-a has no agreement covering transfers to provider-c',
      });
    });

    it('refuses a denied peer whatever the rules', async () => {
      const res = await source('t-pol-2', { peer: { ...w.peerOf(w.b), providerId: 'provider-evil' } });
      expect(res.body).toMatchObject({ accepted: false, code: 'REJECTED_BY_POLICY', reason: expect.stringContaining('deny list') });
    });

    it('uses the incoming rules for the destination role', async () => {
      // provider-a has no incoming agreement at all
      const res = await w.prepare(w.a, { ...w.prepareRequest('t-pol-3', 'source'), role: 'destination', mechanism: 'localcopy' });
      expect(res.body).toEqual({ accepted: false, code: 'REJECTED_BY_POLICY', reason: 'provider-a has no agreement covering transfers from provider-b' });
      expect((await w.status(w.a, 't-pol-3')).status).toBe(404);
    });
  });

  describe('mechanism', () => {
    it('picks the first of its own mechanisms that the peer offers', async () => {
      expect((await source('t-mech-1')).body).toMatchObject({ accepted: true, mechanism: 'localcopy' });
      const res = await source('t-mech-2', { peer: { ...w.peerOf(w.b), mechanisms: ['localcopy-lite'] } });
      expect(res.body).toMatchObject({ accepted: true, mechanism: 'localcopy-lite', operations: ['cancel'] });
    });

    it('honours the mechanism the researcher asked for', async () => {
      expect((await source('t-mech-3', { options: { mechanism: 'localcopy-lite' } })).body).toMatchObject({ mechanism: 'localcopy-lite' });
      expect((await source('t-mech-4', { options: { mechanism: 'rsync' } })).body).toEqual({
        accepted: false,
        code: 'NO_COMMON_MECHANISM',
        reason: "'rsync' is not offered by both sites: provider-a offers [localcopy, localcopy-lite], provider-b offers [localcopy-lite, localcopy]",
      });
    });

    it('names both lists when nothing is common', async () => {
      const res = await source('t-mech-5', { peer: { ...w.peerOf(w.b), mechanisms: ['globus'] } });
      expect(res.body).toEqual({
        accepted: false,
        code: 'NO_COMMON_MECHANISM',
        reason: 'no mechanism in common: provider-a offers [localcopy, localcopy-lite], provider-b offers [globus]',
      });
    });

    it('the destination uses the mechanism given, if it has it', async () => {
      expect((await destination('t-mech-6', { mechanism: 'localcopy-lite', peerPublicParams: { copier: 'localcopy-lite' } })).body).toMatchObject({
        accepted: true,
        mechanism: 'localcopy-lite',
        needsPeer: false,
      });
      expect((await destination('t-mech-7', { mechanism: 'sftp' })).body).toMatchObject({ accepted: false, code: 'NO_COMMON_MECHANISM' });
    });
  });

  describe('paths', () => {
    it('refuses traversal and symlinks leaving the drive', async () => {
      expect((await source('t-path-1', { path: '../outside' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH', reason: expect.stringContaining("'..'") });
      expect((await source('t-path-2', { path: 'escape/secret.txt' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH', reason: expect.stringContaining('symbolic link') });
      expect((await source('t-path-3', { path: 'escape' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH' });
      expect((await source('t-path-4', { path: 'dangling' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH' });
      expect((await destination('t-path-5', { path: 'escape' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH' });
      for (const id of ['t-path-1', 't-path-2', 't-path-5']) expect((await w.status(id === 't-path-5' ? w.b : w.a, id)).status).toBe(404);
    });

    it('accepts symlinks that stay inside, and normalizes the path', async () => {
      expect((await source('t-path-6', { path: 'inside-link/file.txt' })).body).toMatchObject({ accepted: true });
      expect((await source('t-path-7', { path: '/ok//./file.txt' })).body).toMatchObject({ accepted: true });
    });

    it('needs the source to exist and the destination to be a folder', async () => {
      expect((await source('t-path-8', { path: 'missing' })).body).toEqual({ accepted: false, code: 'NOT_FOUND', reason: "'missing' does not exist on drive 'data'" });
      expect((await destination('t-path-9', { path: 'a-file' })).body).toMatchObject({ accepted: false, code: 'BAD_PATH', reason: expect.stringContaining('not a folder') });
      expect((await source('t-path-10', { drive: 'nope' })).body).toMatchObject({ accepted: false, code: 'NOT_FOUND' });
    });

    it('refuses an identity the site does not know', async () => {
      const res = await source('t-path-11', { identity: 'mallory' });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({ code: 'NO_IDENTITY_MAPPING', message: "identity 'mallory' is not configured at provider-a" });
    });
  });

  describe('idempotence', () => {
    it('answers a repeated prepare with the stored answer, without asking the plugin again', async () => {
      const first = await source('t-idem-1', { path: 'ok' });
      const calls = fixtureLog.count('prepareSource', 't-idem-1');
      const again = await source('t-idem-1', { path: 'ok' });
      expect(again.body).toEqual(first.body);
      expect(fixtureLog.count('prepareSource', 't-idem-1')).toBe(calls);
      const other = await source('t-idem-1', { path: 'plain.txt' });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('ALREADY_EXISTS');
    });

    it('answers a repeated prepare with the stored answer even when its checks would now refuse it', async () => {
      // the checks run before the row is looked up: what is stored must still win over them
      writeTree(w.a.driveDir, { 'going/file.txt': 'x' });
      const first = await source('t-idem-3', { path: 'going' });
      expect(first.body).toMatchObject({ accepted: true });
      fs.rmSync(path.join(w.a.driveDir, 'going'), { recursive: true });
      expect((await source('t-idem-4', { path: 'going' })).body).toMatchObject({ accepted: false, code: 'NOT_FOUND' });
      const again = await source('t-idem-3', { path: 'going' });
      expect(again.body).toEqual(first.body);
      // and a different request under that id is still ALREADY_EXISTS, not the check's refusal
      const other = await source('t-idem-3', { path: 'missing' });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('ALREADY_EXISTS');
    });

    it('prepares in full when the deadline has already passed, and only then lets the expiry sweep end it', async () => {
      // the sweep (every 200 ms here) expires untriggered rows past their deadline; it must wait for a
      // preparation under way (300 ms in this plugin) instead of cancelling it half-way (INVALID_STATE)
      const past = new Date(Date.now() - 1000).toISOString();
      const ids = ['t-late-1', 't-late-2', 't-late-3'];
      const answers = await Promise.all(ids.map((id) => source(id, { path: 'ok', triggerDeadline: past, options: { mechanism: 'localcopy-lite' } })));
      for (const a of answers) expect(a.body).toMatchObject({ accepted: true, mechanism: 'localcopy-lite' });
      for (const id of ids) {
        await w.core.until('the sweep to expire it', async () => (await w.status(w.a, id)).body.phase === 'finalized');
        expect(fixtureLog.count('prepareSource', id)).toBe(1);
      }
    });

    it('leaves nothing behind when the plugin refuses', async () => {
      const res = await destination('t-idem-2', { peerPublicParams: { copier: 'something-else' } });
      expect(res.body).toEqual({ accepted: false, code: 'REJECTED_BY_POLICY', reason: 'the source is not a local copier' });
      expect((await w.status(w.b, 't-idem-2')).status).toBe(404);
    });
  });

  describe('browse', () => {
    const browse = (p: string, over = {}) => w.core.call(w.a.url, 'POST', '/ferry/v1/browse', { identity: 'alice', drive: 'data', path: p, ...over });

    it('lists a folder, folders first, symlinks shown as symlinks', async () => {
      const res = await browse('');
      expect(res.status).toBe(200);
      expect(res.body.map((e: any) => [e.name, e.type])).toEqual([
        ['ok', 'dir'],
        ['dangling', 'symlink'],
        ['escape', 'symlink'],
        ['inside-link', 'symlink'],
        ['plain.txt', 'file'],
      ]);
      expect((await browse('ok')).body).toEqual([{ name: 'file.txt', type: 'file', size: 4, modified: expect.any(String) }]);
    });

    it('asks the plugin for drives it serves, with the path confined', async () => {
      const res = await browse('/x/', { drive: 'remote' });
      expect(res.body.map((e: any) => e.name)).toEqual(['a', 'b.txt']);
      expect((await browse('y', { drive: 'remote' })).status).toBe(404);
      expect((await browse('x/../..', { drive: 'remote' })).body.error.code).toBe('BAD_PATH');
    });

    it('refuses what it must', async () => {
      expect((await browse('escape')).body.error.code).toBe('BAD_PATH');
      expect((await browse('../x')).status).toBe(400);
      expect((await browse('plain.txt')).body.error.code).toBe('BAD_PATH');
      expect((await browse('nothing')).status).toBe(404);
      expect((await browse('', { identity: 'mallory' })).status).toBe(403);
      expect((await browse('', { drive: 'other' })).status).toBe(404);
    });
  });
});
