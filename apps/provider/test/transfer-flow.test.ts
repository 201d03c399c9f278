import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyObject } from '@ferry/crypto';
import { GatewayWorld, writeTree, type DbKind } from './support/gateway-world';
import { fixtureLog } from './fixtures/local-copy/fixture-log';
import { encodeSecretName } from '../src/plugins/file-secret-store';

describe.each<DbKind>(['pglite', 'postgres'])('a transfer between two gateways (%s)', (db) => {
  let w: GatewayWorld;

  beforeAll(async () => {
    w = await GatewayWorld.create({ name: `flow-${db}`, db });
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('prepares, triggers, copies, reports and finalizes', async () => {
    writeTree(path.join(w.a.driveDir, 'run1'), { 'a.txt': 'hello', 'sub/b.bin': 300_000 });
    const id = `t-flow-${db}`;
    const n = await w.startTransfer(id, { path: 'run1', options: { verify: 'checksum' } }, { options: { verify: 'checksum' } });

    // the offer is signed by the gateway over OfferSigned, and names the agreement to the researcher
    expect(n.source.accepted).toBe(true);
    const offer = n.source as Extract<typeof n.source, { accepted: true }>;
    const signed = { transferId: id, role: 'source', providerId: 'provider-a', mechanism: offer.mechanism, publicParams: offer.publicParams, sealed: offer.sealed, userPublicKey: w.researcher.box.publicKey };
    expect(verifyObject(signed, offer.signature, w.a.descriptor.signPublicKey)).toBe(true);
    expect(offer.needsPeer).toBe(true);
    expect(offer.operations).toEqual(['pause', 'resume', 'cancel']);
    expect(n.sealedA.info).toEqual({ agreement: 'DUA-1' });

    // the plugin's TransferDirectory knows the transfer it is being triggered for
    expect(fixtureLog.directory.find((d) => d.asked === id)).toEqual({ asked: id, got: { id, role: 'destination' }, active: expect.arrayContaining([id]) });

    const done = await w.completed(id);
    expect(done.phase).toBe('completed');
    expect(done.manifest?.files.map((f) => f.path).sort()).toEqual(['run1/a.txt', 'run1/sub/b.bin']);
    expect(fs.readFileSync(path.join(w.b.driveDir, 'run1', 'a.txt'), 'utf8')).toBe('hello');
    expect(fs.statSync(path.join(w.b.driveDir, 'run1', 'sub', 'b.bin')).size).toBe(300_000);

    const secretsOf = (site: typeof w.a) => fs.readdirSync(path.join(site.config.stateDir, 'secrets', 'localcopy')).sort();
    expect(secretsOf(w.b)).toContain(encodeSecretName(`${id}/grant`));
    expect(secretsOf(w.a)).toContain(encodeSecretName(`localcopy.${id}.peer`));
    // a secret of another transfer whose id merely starts with this one must survive
    const bystander = path.join(w.a.config.stateDir, 'secrets', 'localcopy', encodeSecretName(`${id}-2/key`));
    fs.writeFileSync(bystander, 'x', { mode: 0o600 });

    const fin = await w.finalize(w.b, id, { outcome: 'succeeded', manifest: done.manifest });
    expect(fin).toEqual({ status: 200, body: { ok: true } });
    expect((await w.finalize(w.a, id, { outcome: 'succeeded' })).body).toEqual({ ok: true });
    // idempotent: the stored answer, and the plugin is not asked again
    const calls = fixtureLog.count('finalize', id);
    expect((await w.finalize(w.b, id, { outcome: 'succeeded', manifest: done.manifest })).body).toEqual({ ok: true });
    expect(fixtureLog.count('finalize', id)).toBe(calls);
    const st = await w.status(w.a, id);
    expect(st.body).toMatchObject({ transferId: id, role: 'source', phase: 'finalized' });
    // the transfer's secrets are gone after finalize, at both sides; the bystander stays
    expect(secretsOf(w.b)).toEqual([]);
    expect(secretsOf(w.a)).toEqual([encodeSecretName(`${id}-2/key`)]);
  });
});
