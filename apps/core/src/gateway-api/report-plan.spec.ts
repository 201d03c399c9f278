import type { ProgressReport } from '@ferry/contracts';
import { planReport } from './report-plan';

const r = (phase: ProgressReport['phase'], extra: Partial<ProgressReport> = {}): ProgressReport => ({
  transferId: '00000000-0000-4000-8000-000000000000',
  role: 'source',
  seq: 1,
  phase,
  progress: { bytesDone: 10.7, bytesTotal: 100, filesDone: 1, filesTotal: null, rate: 5, eta: 18, message: 'x' },
  ...extra,
});

describe('planReport', () => {
  it("takes the source's figures as the task's progress (whole numbers)", () => {
    const p = planReport('transfer', 'source', r('running'));
    expect(p.to).toBe('RUNNING');
    expect(p.patch).toMatchObject({ bytesDone: 10, bytesTotal: 100, filesTotal: null, rate: 5, message: 'x' });
    expect(p.from).toContain('AWAITING_TRIGGER'); // a fast source may report before the trigger is recorded
  });

  it("ignores the destination's figures and never lets it drive running/paused", () => {
    for (const phase of ['running', 'paused', 'completed'] as const) {
      const p = planReport('transfer', 'destination', r(phase, { role: 'destination' }));
      expect(p.to).toBeNull();
      expect(p.patch).toEqual({});
    }
  });

  it('fails the task on a failure from either side and queues both gateways', () => {
    const p = planReport('transfer', 'destination', r('failed', { error: { code: 'X', message: 'y' } }));
    expect(p).toMatchObject({ to: 'FAILED', patch: { error: { code: 'X', message: 'y' }, cleanupOutcome: 'failed', cleanupRoles: ['destination', 'source'] } });
    expect(p.from).toContain('FINALIZING');
    expect(planReport('transfer', 'source', r('failed')).patch.error).toEqual({ code: 'TRANSFER_FAILED', message: 'the source gateway reported a failure' });
  });

  it("moves to FINALIZING on the source's completion, keeping its manifest", () => {
    const manifest = { verify: 'size' as const, files: [{ path: 'a', size: 1 }] };
    const p = planReport('transfer', 'source', r('completed', { manifest }));
    expect(p).toMatchObject({ to: 'FINALIZING', patch: { manifest } });
    expect(p.from).not.toContain('FINALIZING');
  });

  it('records figures only for phases that do not change the state', () => {
    for (const phase of ['prepared', 'triggered', 'finalized'] as const) expect(planReport('transfer', 'source', r(phase)).to).toBeNull();
  });

  it('closes tunnels instead of finalizing them', () => {
    expect(planReport('tunnel', 'source', r('completed')).to).toBe('CLOSED');
    // the end of a tunnel's lifetime: both gateways are finalized 'succeeded' so their records end too
    expect(planReport('tunnel', 'source', r('completed')).patch).toMatchObject({ cleanupOutcome: 'succeeded', cleanupRoles: ['destination', 'source'] });
    expect(planReport('tunnel', 'source', r('cancelled')).to).toBe('CLOSED');
  });
});
