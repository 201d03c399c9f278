import type { ProgressReport } from '@ferry/contracts';
import type { CoreHarness } from '../support/core-harness';
import { TOKENS, waitFor } from '../support/core-harness';

/** Racing actors: the conditional transitions must let exactly one of them win. */
export function concurrencySuite(get: () => CoreHarness): void {
  it('five simultaneous cancels: one wins, the others get 409, each gateway is told once', async () => {
    const h = get();
    const view = await h.startTransfer();
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.api(TOKENS.alice, 'POST', `/api/tasks/${view.id}/cancel`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
    await waitFor('cleanup done', async () => {
      const rows = (await h.sql(`SELECT cleanup_outcome FROM tasks WHERE id = $1`, [view.id])) as Array<{ cleanup_outcome: string | null }>;
      return rows[0].cleanup_outcome === null ? true : undefined;
    });
    expect(h.gwA.callsTo('/control', view.id).length).toBe(1);
    expect(h.gwB.callsTo('/control', view.id).length).toBe(1);
    expect(h.gwA.callsTo('/finalize', view.id).length).toBe(1);
    expect(h.gwB.callsTo('/finalize', view.id).length).toBe(1);
  });

  it('three simultaneous triggers: one relays, the others are refused, each gateway triggered once', async () => {
    const h = get();
    const view = await h.createTransfer();
    const body = h.triggersFor(view);
    const answers = await Promise.all([1, 2, 3].map(() => h.api(TOKENS.alice, 'POST', `/api/transfers/${view.id}/trigger`, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('TRIGGER_REPLAYED');
    expect(h.gwA.callsTo('/trigger', view.id).length).toBe(1);
    expect(h.gwB.callsTo('/trigger', view.id).length).toBe(1);
  });

  it('the same completion reported three times at once is applied once and finalized once', async () => {
    const h = get();
    const view = await h.startTransfer();
    const done: ProgressReport = {
      transferId: view.id,
      role: 'source',
      seq: 7,
      phase: 'completed',
      progress: { bytesDone: 10, bytesTotal: 10, filesDone: 1, filesTotal: 1, rate: null, eta: null, message: null },
      manifest: { verify: 'size', files: [{ path: 'f', size: 10 }] },
    };
    const answers = await Promise.all([1, 2, 3].map(() => h.gwA.report(h.url, done)));
    expect(answers.map((a) => a.body.applied).sort()).toEqual([false, false, true]);
    await waitFor('succeeded', async () => ((await h.task(view.id)).state === 'SUCCEEDED' ? true : undefined));
    expect(h.gwB.callsTo('/finalize', view.id).length).toBe(1);
    expect(h.gwA.callsTo('/finalize', view.id).length).toBe(1);
  });
}
