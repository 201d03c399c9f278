import { CoreHarness, TOKENS, waitFor } from './support/core-harness';

/** The embedded database survives a restart; the seed applies again without duplicates; work resumes. */
describe('core restart on the same PGlite data', () => {
  const h = new CoreHarness('pglite');
  beforeAll(() => h.start());
  afterAll(() => h.close());

  it('keeps transfers, re-applies the seed idempotently, and finishes a finalization left mid-way', async () => {
    const waiting = await h.createTransfer();
    const running = await h.startTransfer();
    h.gwB.failFinalize = 1_000; // the destination cannot finalize before the "crash"
    await h.gwA.report(h.url, {
      transferId: running.id,
      role: 'source',
      seq: 1,
      phase: 'completed',
      progress: { bytesDone: 5, bytesTotal: 5, filesDone: 1, filesTotal: 1, rate: null, eta: null, message: null },
      manifest: { verify: 'size', files: [] },
    });
    await waitFor('a failed finalize attempt', async () => (h.gwB.callsTo('/finalize', running.id).length ? true : undefined));

    await h.restart();
    h.gwB.failFinalize = 0;

    expect((await h.api(TOKENS.alice, 'GET', `/api/transfers/${waiting.id}`)).body.state).toBe('AWAITING_TRIGGER');
    const counts = (await h.sql(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM drive_acl)::int AS acl, (SELECT count(*) FROM api_tokens)::int AS tokens`,
    )) as Array<Record<string, number>>;
    expect(counts[0]).toEqual({ users: 3, acl: 7, tokens: 3 });
    await waitFor('finalized after restart', async () => ((await h.task(running.id)).state === 'SUCCEEDED' ? true : undefined));
  });
});
