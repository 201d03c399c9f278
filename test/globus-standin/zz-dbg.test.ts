import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GlobusStandin } from '/work/main/test/globus-standin/globus-standin';
import { createGateway, finishTransfer, startTransfer, writeSecretFile } from '/work/main/test/globus-standin/plugin-harness';

it('timing', async () => {
  const g = await GlobusStandin.start({ tickMs: 20, bytesPerTick: 128 * 1024 });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbg-'));
  fs.mkdirSync(path.join(tmp, 'a', 'r'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'b'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'a', 'r', 'x'), Buffer.alloc(700000));
  const A = g.registerClient(), B = g.registerClient();
  const ca = g.addCollection({ root: path.join(tmp, 'a'), owner: A.identityId });
  const cb = g.addCollection({ root: path.join(tmp, 'b'), owner: B.identityId });
  const mk = (n: string, c: typeof A) => createGateway(n, { authUrl: g.authUrl, transferUrl: g.transferUrl, clientId: c.clientId, clientSecretFile: writeSecretFile(tmp, n, c.secret), pollIntervalMs: 40, maxBackoffMs: 400 }, tmp);
  const a = mk('a', A), b = mk('b', B);
  await a.plugin.start(); await b.plugin.start();
  const t0 = Date.now();
  const h = await startTransfer(a, b, { drive: { id: 'd', root: '', attributes: { collectionId: ca } }, path: 'r' }, { drive: { id: 'e', root: '', attributes: { collectionId: cb } }, path: '' }, randomUUID());
  console.log('started', Date.now() - t0);
  await h.s.done;
  console.log('done', Date.now() - t0, h.s.reports.length);
  await finishTransfer(a, b, h);
  console.log('finished', Date.now() - t0);
  console.log(JSON.stringify([...a.logs, ...b.logs].filter(l => l.level !== 'info').slice(0, 10)));
  await a.plugin.stop(); await b.plugin.stop(); await g.stop();
});
