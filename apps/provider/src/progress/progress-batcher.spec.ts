import { Logger } from '@nestjs/common';
import type { ProgressFigures } from '@ferry/contracts';
import { generateBoxKeyPair, generateSigningKeyPair } from '@ferry/crypto';
import { FakeCore } from '../../test/support/fake-core';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayMetrics } from '../operations/gateway-metrics.service';
import type { OperationsRepository } from '../persistence/operations.repository';
import { PluginMetrics } from '../plugins/plugin-metrics';
import { CoreClient, CoreSendError } from './core-client.service';
import { ProgressBatcher } from './progress-batcher';
import { ProgressReporter } from './progress-reporter';

const zero: ProgressFigures = { bytesDone: 0, bytesTotal: 1000, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null };
const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

/**
 * Reporters of several transfers, a batcher and a real CoreClient posting signed requests to a
 * fake core over HTTP. Saving the figures waits for `openSaves()`, so the test decides when the
 * reports of one tick are all prepared (no timing involved).
 */
async function world(n: number) {
  const core = new FakeCore();
  await core.start();
  const sign = generateSigningKeyPair();
  core.trust('provider-a', sign.publicKey);
  const config = { id: 'provider-a', core: { url: core.url } } as unknown as GatewayConfig;
  const noTransfers = { countByRolePhaseMechanism: async () => [] } as unknown as OperationsRepository;
  const client = new CoreClient(config, { sign, box: generateBoxKeyPair() }, new GatewayMetrics(noTransfers, new PluginMetrics()));
  const logger = new Logger('test');
  const batcher = new ProgressBatcher({ sendOne: (r) => client.postProgress(r), sendBatch: (rs) => client.postProgressBatch(rs), logger });
  let saving: Array<() => void> = [];
  const seqs = new Map<string, number>();
  const acked: string[] = [];
  const reporters = ids(n).map(
    (id) =>
      new ProgressReporter(id, 'source', { phase: 'running', progress: zero }, {
        intervalMs: 60 * 60_000,
        save: () =>
          new Promise<number>((resolve) =>
            saving.push(() => {
              seqs.set(id, (seqs.get(id) ?? 0) + 1);
              resolve(seqs.get(id)!);
            }),
          ),
        acknowledged: async (seq) => void acked.push(`${id}#${seq}`),
        send: (r, urgent) => batcher.send(r, urgent),
        hold: () => batcher.hold(),
        isRetryable: (e) => !(e instanceof CoreSendError) || e.retryable,
        logger,
        backoffMs: () => 1,
      }),
  );
  /** lets every save started so far finish, once `count` of them are waiting */
  const openSaves = async (count: number, before?: () => void) => {
    await core.waitFor(`${count} saves`, () => saving.length >= count);
    before?.();
    const go = saving;
    saving = [];
    for (const f of go) f();
  };
  return { core, batcher, reporters, acked, openSaves };
}

describe('ProgressBatcher', () => {
  let core: FakeCore | undefined;
  let reporters: ProgressReporter[] = [];
  afterEach(async () => {
    for (const r of reporters) r.close();
    reporters = [];
    await core?.stop();
  });

  it('sends the reports of all running transfers due at one tick in one signed request', async () => {
    const w = await world(8);
    core = w.core;
    reporters = w.reporters;
    w.reporters.forEach((r, i) => r.update({ progress: { bytesDone: 100 + i } }));
    await w.openSaves(8);
    await Promise.all(w.reporters.map((r) => r.whenIdle()));
    expect(w.core.requests).toEqual([{ path: '/api/gateway/progress/batch', reports: 8 }]);
    expect(w.core.refused).toEqual([]);
    expect(w.core.reports.map((r) => [r.keyId, r.report.transferId, r.report.seq, r.report.progress.bytesDone])).toEqual(
      ids(8).map((id, i) => ['provider-a', id, 1, 100 + i]),
    );
    expect(w.acked.sort()).toEqual(ids(8).map((id) => `${id}#1`).sort());
  });

  it('a report the core refuses in a batch is dropped by its reporter alone; the others are delivered', async () => {
    const w = await world(3);
    core = w.core;
    reporters = w.reporters;
    w.core.foreign.add(ids(3)[1]);
    w.reporters.forEach((r) => r.update({ progress: { bytesDone: 5 } }));
    await w.openSaves(3);
    await Promise.all(w.reporters.map((r) => r.whenIdle()));
    expect(w.core.requests).toEqual([{ path: '/api/gateway/progress/batch', reports: 3 }]);
    expect(w.core.reports.map((r) => r.report.transferId)).toEqual([ids(3)[0], ids(3)[2]]);
    // refused for good: acknowledged (not kept pending), never resent
    expect(w.acked.sort()).toEqual(ids(3).map((id) => `${id}#1`).sort());
  });

  it('retries a batch the core could not take (503) and delivers the latest state of every transfer', async () => {
    const w = await world(4);
    core = w.core;
    reporters = w.reporters;
    w.core.down = true;
    // a phase change: retried after the backoff (plain progress would wait for the next interval)
    w.reporters.forEach((r) => r.update({ phase: 'paused', progress: { bytesDone: 10 } }));
    await w.openSaves(4); // the first attempt meets a core that answers 503
    expect(w.acked).toEqual([]);
    // every reporter retries (saving again, a new seq); the core is back by the time they send
    await w.openSaves(4, () => (w.core.down = false));
    await Promise.all(w.reporters.map((r) => r.whenIdle()));
    expect(w.core.requests).toEqual([{ path: '/api/gateway/progress/batch', reports: 4 }]);
    expect(w.core.reports.map((r) => [r.report.transferId, r.report.seq, r.report.progress.bytesDone]).sort()).toEqual(
      ids(4).map((id) => [id, 2, 10]),
    );
  });

  it('falls back to one request per report when the core has no batch endpoint (404)', async () => {
    const w = await world(3);
    core = w.core;
    reporters = w.reporters;
    w.core.batchEndpoint = false;
    w.reporters.forEach((r) => r.update({ progress: { bytesDone: 7 } }));
    await w.openSaves(3);
    await Promise.all(w.reporters.map((r) => r.whenIdle()));
    expect(w.core.requests).toEqual([1, 2, 3].map(() => ({ path: '/api/gateway/progress', reports: 1 })));
    expect(w.core.reports.map((r) => r.report.transferId).sort()).toEqual(ids(3));
  });

  it('sends a phase change at once, without waiting for reports still being prepared', async () => {
    const sent: string[] = [];
    const batcher = new ProgressBatcher({
      sendOne: async (r) => void sent.push(r.phase),
      sendBatch: async (rs) => rs.map(() => ({ applied: true, state: 'RUNNING' })),
      logger: new Logger('test'),
      maxWaitMs: 60 * 60_000, // a plain report would wait an hour for the held one
    });
    const release = batcher.hold(); // another transfer's report, never finished
    await batcher.send({ transferId: ids(1)[0], role: 'source', seq: 9, phase: 'completed', progress: zero }, true);
    expect(sent).toEqual(['completed']);
    release();
  });

  it('splits what is due into requests of at most maxReports and maxBytes', async () => {
    const sent: number[] = [];
    const batcher = new ProgressBatcher({
      sendOne: async () => void sent.push(1),
      sendBatch: async (rs) => (sent.push(rs.length), rs.map(() => ({ applied: true, state: 'RUNNING' }))),
      logger: new Logger('test'),
      maxReports: 4,
      maxBytes: 3 * JSON.stringify({ transferId: ids(1)[0], role: 'source', seq: 1, phase: 'running', progress: zero }).length,
    });
    const release = batcher.hold();
    const all = ids(10).map((id) => batcher.send({ transferId: id, role: 'source', seq: 1, phase: 'running', progress: zero }));
    release();
    await Promise.all(all);
    expect(sent).toEqual([3, 3, 3, 1]);
  });
});
