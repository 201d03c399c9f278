import { Injectable } from '@nestjs/common';
import { DomainError, type ProgressReport, type ProgressReportOutcome } from '@ferry/contracts';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { providerFor } from '../lifecycle/task-gateways.util';
import { CoreMetrics } from '../metrics/core-metrics.service';
import type { GatewayRole, TaskEntity } from '../persistence/entities';
import { ReportWrite, TaskEventRepository, TaskRepository, TransferRepository } from '../persistence/repositories';
import { planReport, TRIGGERED_PHASES } from './report-plan';

/** A report (or why it was refused already) signed by `providerId`. */
export interface SignedReport {
  providerId: string;
  report: ProgressReport | DomainError;
}

interface Pending {
  index: number;
  providerId: string;
  report: ProgressReport;
  role: GatewayRole;
  task: TaskEntity;
}

/**
 * Applies gateways' progress reports, one or many, with a constant number of statements per call:
 * one SELECT of every task named, one conditional UPDATE of all of them (TaskRepository.applyReports),
 * and, only when some report is the first sign of a trigger, one UPDATE of their transfers. Several
 * reports for one task in one call are applied in seq order, one UPDATE per rank (gateways send one
 * per transfer, so that is the rare case). Each report is judged exactly as the single endpoint
 * judges it: NOT_FOUND, FORBIDDEN (the signer is not that side), dropped when its seq is not newer
 * or the task is past what it describes. Events follow every applied report, after the writes.
 */
@Injectable()
export class ProgressApplier {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly transfers: TransferRepository,
    private readonly events: TaskEventsPublisher,
    private readonly metrics: CoreMetrics,
    private readonly taskEvents: TaskEventRepository,
  ) {}

  async apply(items: readonly SignedReport[]): Promise<ProgressReportOutcome[]> {
    const results: ProgressReportOutcome[] = new Array(items.length);
    const ids = [...new Set(items.flatMap((x) => (x.report instanceof DomainError ? [] : [x.report.transferId])))];
    const found = new Map((await this.tasks.findMany(ids)).map((t) => [t.id, t]));
    const pending: Pending[] = [];
    items.forEach(({ providerId, report }, index) => {
      if (report instanceof DomainError) return void (results[index] = refused(report));
      const task = found.get(report.transferId);
      if (!task) return void (results[index] = refused(new DomainError('NOT_FOUND', `no transfer ${report.transferId}`)));
      const role: GatewayRole = report.role === 'source' || report.role === 'initiator' ? 'source' : 'destination';
      if (providerFor(task, role) !== providerId) {
        return void (results[index] = refused(new DomainError('FORBIDDEN', `provider ${providerId} is not the ${role} of transfer ${task.id}`)));
      }
      pending.push({ index, providerId, report, role, task });
    });

    // a tunnel's events are kept even when the report's figures are dropped (e.g. the "stopped"
    // events that arrive after a cancel already closed the task): each is reported once
    for (const p of pending) {
      if (p.task.kind === 'tunnel' && p.report.events?.length) {
        const side = p.role === 'source' ? 'initiator' : 'listener';
        await this.taskEvents.append(p.task.id, p.report.events.map((e) => ({ side, at: new Date(e.at), type: e.type, message: e.message })));
      }
    }

    const triggered = new Set<string>();
    const changed: Array<{ task: TaskEntity; enteredFinalizing: boolean }> = [];
    for (const rank of ranks(pending)) {
      const writes: ReportWrite[] = rank.map((p) => {
        const plan = planReport(p.task.kind, p.role, p.report);
        return { id: p.task.id, role: p.role, seq: p.report.seq, from: plan.from, to: plan.to, patch: plan.patch };
      });
      const applied = await this.tasks.applyReports(writes);
      rank.forEach((p, k) => {
        const a = applied.get(k);
        this.metrics.progressReports.inc({ result: a ? 'applied' : 'dropped' });
        if (!a) return void (results[p.index] = { applied: false, state: p.task.state });
        const updated = a.task;
        // bytes moved = how far the source's bytesDone advanced (a restart from zero counts nothing)
        const moved = p.role === 'source' ? updated.bytesDone - a.previousBytesDone : 0;
        if (moved > 0) this.metrics.bytesTransferred.inc({ mechanism: updated.mechanism ?? 'none' }, moved);
        // only the report that moves a task out of AWAITING_TRIGGER/STARTING can be the first sign of
        // the trigger; later ones would only re-read the row
        if (TRIGGERED_PHASES.has(p.report.phase) && (p.task.state === 'AWAITING_TRIGGER' || p.task.state === 'STARTING')) triggered.add(p.task.id);
        changed.push({ task: updated, enteredFinalizing: writes[k].to === 'FINALIZING' });
        results[p.index] = { applied: true, state: updated.state };
        // the next rank's reports for this task are judged against the row as it is now
        for (const q of pending) if (q.task.id === updated.id) q.task = updated;
      });
    }
    await this.transfers.markTriggeredMany([...triggered]);
    for (const c of changed) this.events.changed(c.task, { enteredFinalizing: c.enteredFinalizing });
    return results;
  }
}

function refused(e: DomainError): ProgressReportOutcome {
  return { error: { code: e.code, message: e.message } };
}

/** Splits reports into ranks with at most one report per task each, every task's reports in seq order. */
function ranks(pending: Pending[]): Pending[][] {
  const byTask = new Map<string, Pending[]>();
  for (const p of pending) byTask.set(p.task.id, [...(byTask.get(p.task.id) ?? []), p]);
  const out: Pending[][] = [];
  for (const list of byTask.values()) {
    list.sort((a, b) => a.report.seq - b.report.seq || a.index - b.index);
    list.forEach((p, r) => (out[r] ??= []).push(p));
  }
  return out;
}
