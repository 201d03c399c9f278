import { TestTransferHandle } from './test-transfer.handle';

const handle = (role: 'source' | 'destination' = 'source') =>
  new TestTransferHandle({ id: 't1', role, drive: { id: 'd', root: '/tmp', attributes: {} }, path: '', localPath: '/tmp' });

describe('TestTransferHandle (what the kit holds plugins to)', () => {
  it('records a second end, and a completion on the destination, as violations', () => {
    const t = handle();
    t.complete({ verify: 'size', files: [] });
    t.fail('X', 'late');
    expect(t.record.violations).toEqual(['fail(X) called after the transfer had already ended']);
    const d = handle('destination');
    d.complete({ verify: 'size', files: [] });
    expect(d.record.violations).toEqual(['complete() called on a destination handle']);
  });

  it('refuses state that would not survive JSON persistence', async () => {
    const t = handle();
    await t.saveState({ ok: 1, when: new Date() as unknown as string });
    expect(t.record.violations[0]).toMatch(/saveState\.when is a Date/);
    expect(typeof t.state.when).toBe('string');
  });

  it('merges partial progress reports and wakes waiters', async () => {
    const t = handle();
    const waiting = t.record.waitFor(() => t.record.reports.some((r) => r.bytesDone === 5), 'bytes', 1000);
    t.report({ bytesTotal: 10 });
    t.report({ bytesDone: 5 });
    await waiting;
    expect(t.record.reports[1]).toMatchObject({ bytesDone: 5, bytesTotal: 10, filesDone: 0 });
  });

  it('reopens with the same state and records but a fresh signal', async () => {
    const t = handle();
    await t.saveState({ phase: 'running' });
    t.abort();
    const again = t.reopen();
    expect(again.state).toEqual({ phase: 'running' });
    expect(again.record).toBe(t.record);
    expect(again.signal.aborted).toBe(false);
    expect(t.signal.aborted).toBe(true);
  });
});
