import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  callGatewayAsCore,
  dumpPostgres,
  gatewaySecretFiles,
  gatewaySecrets,
  makeSampleTree,
  privateKeysIn,
  secretStrings,
  Stack,
  startStack,
} from '../harness';

/**
 * On a real PostgreSQL server: after a finished transfer, no grant token, trigger token or private key
 * may be found anywhere in the core's database or logs; and an untriggered transfer expires.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ name: 'secrets', database: 'postgres' });
  await makeSampleTree(path.join(stack.dirs.aData, 'samples'), { smallFiles: 20 });
}, 120_000);

afterAll(async () => stack?.stop(), 60_000);

it('no secret of a finished transfer is in the core database or the core log', async () => {
  const alice = stack.researcher('alice');
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'secret-test'));
  const p = await alice.prepare('a-data:/samples', 'b-inbox:/secret-test');
  const ephemeralKeys = privateKeysIn(gatewaySecretFiles(stack.dirs.aState));
  expect(ephemeralKeys.length).toBeGreaterThan(0); // A's per-transfer SSH key exists now
  // the gateways made their per-transfer secrets at prepare; collect them before anything ends
  const secrets = new Set<string>([
    alice.key.secretKey,
    ...gatewaySecrets(stack.dirs.aState),
    ...gatewaySecrets(stack.dirs.bState),
    ...Object.values(p.sealedParams).flatMap((sp) => secretStrings(JSON.stringify({ t: sp.triggerToken, f: sp.forPeer }))),
  ]);
  await alice.api.trigger(p.transfer.id, p.request);
  // and whatever appeared once the transfer ran (e.g. an activated grant)
  const running = await alice.waitTask(p.transfer.id, (t) => t.state !== 'AWAITING_TRIGGER' && t.state !== 'STARTING');
  for (const s of [...gatewaySecrets(stack.dirs.aState), ...gatewaySecrets(stack.dirs.bState)]) secrets.add(s);
  const done = await alice.waitTask(running.id);
  expect(done.state).toBe('SUCCEEDED');

  // the collection must have found the real things, or this test proves nothing
  const tokens = Object.values(p.sealedParams).map((sp) => sp.triggerToken);
  for (const t of tokens) expect(secrets).toContain(t);
  const grant = (p.sealedParams.destination.forPeer as { grantToken?: string }).grantToken;
  expect(typeof grant).toBe('string');
  expect(secrets).toContain(grant);
  for (const k of ephemeralKeys) for (const line of secretStrings(k)) expect(secrets).toContain(line);

  // what the gateways published in their signed offers is public by design (e.g. B's host key
  // fingerprint, which it also keeps with its grant): the core may store it
  const published = JSON.stringify(p.transfer.offers.map((o) => o.publicParams));
  for (const s of [...secrets]) if (published.includes(s)) secrets.delete(s);

  const dump = await dumpPostgres(stack.coreDatabaseUrl!);
  expect(dump).toContain(p.transfer.id); // the dump is real: it holds the transfer
  const coreLog = stack.core.log();
  expect(coreLog.length).toBeGreaterThan(0);
  const gatewayLogs = stack.gatewayA.log() + stack.gatewayB.log();
  const found = [...secrets].flatMap((s) => [
    ...(dump.includes(s) ? [`database: ${s.slice(0, 8)}…`] : []),
    ...(coreLog.includes(s) ? [`core log: ${s.slice(0, 8)}…`] : []),
    ...(gatewayLogs.includes(s) ? [`gateway log: ${s.slice(0, 8)}…`] : []),
  ]);
  expect(found).toEqual([]);
}, 180_000);

it('an untriggered transfer EXPIRES at its deadline and both gateways drop it', async () => {
  await stack.core.restart({ FERRY_TRIGGER_DEADLINE_SECONDS: '2' });
  const alice = stack.researcher('alice');
  fs.mkdirSync(path.join(stack.dirs.bInbox, 'expiry'));
  const p = await alice.prepare('a-data:/samples', 'b-inbox:/expiry');
  const expired = await alice.waitState(p.transfer.id, ['EXPIRED'], 60_000);
  expect(expired.operations).toEqual([]);
  const late = await alice.error(alice.api.trigger(p.transfer.id, p.request));
  expect([409, 410]).toContain(late.status);
  for (const [url, role] of [
    [`http://127.0.0.1:${stack.configs.a.listen.port}`, 'source'],
    [`http://127.0.0.1:${stack.configs.b.listen.port}`, 'destination'],
  ]) {
    const deadline = Date.now() + 30_000;
    let status: { status: number; body: any };
    do {
      status = await callGatewayAsCore(url, stack.coreKey.secretKey, 'GET', `/transfers/${p.transfer.id}/status`);
      if (status.status === 404 || status.body?.phase === 'finalized') break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    expect({ role, dropped: status.status === 404 || status.body?.phase === 'finalized' }).toEqual({ role, dropped: true });
  }
  expect(fs.readdirSync(path.join(stack.dirs.bInbox, 'expiry'))).toEqual([]);
}, 120_000);
