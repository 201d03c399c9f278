import { Logger } from '@nestjs/common';
import type { ProgressFigures, ProgressReport } from '@ferry/contracts';
import { ProgressReporter, type ReporterDeps } from './progress-reporter';
import { CoreSendError } from './core-client.service';

const zero: ProgressFigures = { bytesDone: 0, bytesTotal: 1000, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null };

function harness(over: Partial<ReporterDeps> = {}) {
  let seq = 0;
  const sent: ProgressReport[] = [];
  const acked: number[] = [];
  const deps: ReporterDeps = {
    intervalMs: 60 * 60_000, // an hour: anything sent twice in a test was sent because it was urgent
    save: async () => ++seq,
    acknowledged: async (s) => void acked.push(s),
    send: async (r) => void sent.push(r),
    isRetryable: (e) => e instanceof CoreSendError && e.retryable,
    logger: new Logger('test'),
    backoffMs: () => 1,
    ...over,
  };
  const reporter = new ProgressReporter('t1', 'source', { phase: 'running', progress: zero }, deps);
  return { reporter, sent, acked, deps };
}

const until = async (pred: () => boolean) => {
  while (!pred()) await new Promise((r) => setTimeout(r, 2));
};

describe('ProgressReporter', () => {
  it('coalesces a burst of updates into one report carrying the latest figures', async () => {
    const { reporter, sent, acked } = harness();
    for (let i = 1; i <= 100; i++) reporter.update({ progress: { bytesDone: i * 10 } });
    await reporter.whenIdle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ transferId: 't1', role: 'source', seq: 1, phase: 'running', progress: { bytesDone: 1000 } });
    expect(acked).toEqual([1]);
  });

  it('holds progress until the interval but sends a phase change at once, merged with it', async () => {
    const { reporter, sent } = harness();
    reporter.update({ progress: { bytesDone: 100 } });
    await until(() => sent.length === 1);
    reporter.update({ progress: { bytesDone: 500 } }); // due in an hour
    reporter.update({ phase: 'completed', manifest: { verify: 'size', files: [{ path: 'f', size: 1000 }] }, progress: { bytesDone: 1000 } });
    await until(() => sent.length === 2);
    expect(sent.map((r) => [r.seq, r.phase, r.progress.bytesDone])).toEqual([
      [1, 'running', 100],
      [2, 'completed', 1000],
    ]);
    expect(sent[1].manifest?.files).toHaveLength(1);
    expect(sent[1].progress.eta).toBe(0);
    reporter.close();
  });

  it('hands a report the core refused for good to `refused`, once, and does not resend it', async () => {
    const refused: Array<[ProgressReport, unknown]> = [];
    const tooLarge = new CoreSendError('core answered 413: too large', false, 413);
    const attempts: ProgressReport[] = [];
    const { reporter, acked } = harness({
      send: async (r) => {
        attempts.push(r);
        throw tooLarge;
      },
      refused: (r, e) => void refused.push([r, e]),
    });
    reporter.update({ phase: 'completed', manifest: { verify: 'size', files: [{ path: 'f', size: 1000 }] }, progress: { bytesDone: 1000 } });
    await until(() => refused.length === 1);
    await reporter.whenIdle();
    expect(attempts).toHaveLength(1);
    expect(refused[0][0]).toMatchObject({ seq: 1, phase: 'completed' });
    expect(refused[0][0].manifest?.files).toHaveLength(1);
    expect(refused[0][1]).toBe(tooLarge);
    expect(acked).toEqual([1]);
    reporter.close();
  });

  it('retries while the core is down and delivers the latest state, with a new seq each attempt', async () => {
    let failuresLeft = 3;
    const attempts: ProgressReport[] = [];
    const { reporter, acked } = harness({
      send: async (r) => {
        attempts.push(r);
        if (failuresLeft-- > 0) throw new CoreSendError('core answered 503', true);
      },
    });
    reporter.update({ progress: { bytesDone: 10 } });
    reporter.update({ phase: 'completed' });
    await reporter.whenIdle();
    expect(attempts.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(attempts.every((r) => r.phase === 'completed' && r.progress.bytesDone === 10)).toBe(true);
    expect(acked).toEqual([4]);
  });

  it('drops a report the core refuses for good, and does not keep it pending', async () => {
    const attempts: number[] = [];
    const { reporter, acked } = harness({
      send: async (r) => {
        attempts.push(r.seq);
        throw new CoreSendError('core answered 404', false);
      },
    });
    reporter.update({ phase: 'failed', error: { code: 'X', message: 'boom' } });
    await reporter.whenIdle();
    expect(attempts).toEqual([1]);
    expect(acked).toEqual([1]);
  });

  it('computes a smoothed rate and an eta itself, ignoring the plugin\'s', async () => {
    let now = 0;
    const { reporter, sent } = harness({ now: () => now, intervalMs: 0 });
    const step = async (bytes: number, at: number) => {
      now = at;
      reporter.update({ progress: { bytesDone: bytes, rate: 999_999, eta: 1 } });
      await reporter.whenIdle();
    };
    await step(0, 0);
    await step(100, 1000); // 100 B/s
    await step(400, 2000); // 300 B/s -> 0.3*300 + 0.7*100 = 160
    const last = sent[sent.length - 1].progress;
    expect(last.rate).toBeCloseTo(160);
    expect(last.eta).toBe(Math.round(600 / 160));
    expect(sent[0].progress.rate).toBeNull();
  });

  it('puts regular reports of different transfers on the same ticks (multiples of the interval), so they can leave together', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const a = harness({ intervalMs: 1000, now: () => Date.now() });
      const b = harness({ intervalMs: 1000, now: () => Date.now() });
      a.reporter.update({ progress: { bytesDone: 1 } }); // first reports leave at once: a at 0, b at 300
      await jest.advanceTimersByTimeAsync(300);
      b.reporter.update({ progress: { bytesDone: 1 } });
      await jest.advanceTimersByTimeAsync(1);
      a.reporter.update({ progress: { bytesDone: 2 } });
      b.reporter.update({ progress: { bytesDone: 2 } });
      await jest.advanceTimersByTimeAsync(1000 - 301 - 1);
      expect([a.sent.length, b.sent.length]).toEqual([1, 1]);
      await jest.advanceTimersByTimeAsync(1); // t = 1000: both due (b only a little early, not at 1300)
      expect([a.sent.length, b.sent.length]).toEqual([2, 2]);
      a.reporter.close();
      b.reporter.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends nothing after close', async () => {
    const { reporter, sent } = harness();
    reporter.close();
    reporter.update({ phase: 'completed' });
    await reporter.whenIdle();
    expect(sent).toEqual([]);
  });
});
