import type { FileManifest, PeerDescriptor, ProgressFigures, TransferOptions } from '@ferry/contracts';
import type { DriveBinding, LocalIdentity, TransferHandle } from '../plugin.contract';
import { jsonClone, jsonProblem } from './json-clean.util';

export interface TestTransferInit {
  id: string;
  role: 'source' | 'destination';
  drive: DriveBinding;
  path: string;
  localPath: string;
  options?: TransferOptions;
  identity?: LocalIdentity;
  peer?: PeerDescriptor;
  triggerDeadline?: Date;
}

const EMPTY_PROGRESS: ProgressFigures = {
  bytesDone: 0,
  bytesTotal: null,
  filesDone: 0,
  filesTotal: null,
  rate: null,
  eta: null,
  message: null,
};

/** What one transfer did at one side; shared by every handle reopened for it (restarts). */
export class HandleRecord {
  readonly reports: ProgressFigures[] = [];
  readonly completions: FileManifest[] = [];
  readonly failures: Array<{ code: string; message: string }> = [];
  /** contract violations seen (not JSON-clean state, a second complete, ...) */
  readonly violations: string[] = [];
  /** every state after every saveState, as JSON (leak checks) */
  readonly stateHistory: string[] = [];
  state: Record<string, unknown> = {};
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `pred` holds (checked now and after every report/complete/fail); rejects after timeoutMs. */
  waitFor(pred: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`gave up waiting for ${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  get ended(): boolean {
    return this.completions.length + this.failures.length > 0;
  }
}

/**
 * A TransferHandle as the gateway builds one, kept in memory and recording everything the plugin
 * does with it. `reopen()` gives the handle a restarted gateway would build (same state).
 */
export class TestTransferHandle implements TransferHandle {
  readonly id: string;
  readonly role: 'source' | 'destination';
  readonly identity: LocalIdentity;
  readonly drive: DriveBinding;
  readonly path: string;
  readonly localPath: string;
  readonly options: TransferOptions;
  readonly peer: PeerDescriptor;
  readonly triggerDeadline: Date;
  readonly record: HandleRecord;
  private readonly controller = new AbortController();

  constructor(init: TestTransferInit, record = new HandleRecord()) {
    this.id = init.id;
    this.role = init.role;
    this.drive = init.drive;
    this.path = init.path;
    this.localPath = init.localPath;
    this.options = init.options ?? {};
    this.identity = init.identity ?? { name: 'researcher', account: 'researcher', attributes: {} };
    this.peer = init.peer ?? {
      providerId: init.role === 'source' ? 'provider-b' : 'provider-a',
      name: init.role === 'source' ? 'Provider B' : 'Provider A',
      signPublicKey: '',
      boxPublicKey: '',
      mechanisms: [],
    };
    this.triggerDeadline = init.triggerDeadline ?? new Date(Date.now() + 15 * 60_000);
    this.record = record;
    this.init = init;
  }

  private readonly init: TestTransferInit;

  get state(): Readonly<Record<string, unknown>> {
    return this.record.state;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** the gateway merges Preparation.state in after prepare */
  mergeState(patch: Record<string, unknown> | undefined, what: string): void {
    if (!patch) return;
    const problem = jsonProblem(patch, what);
    if (problem) this.record.violations.push(problem);
    this.record.state = { ...this.record.state, ...jsonClone(patch) };
    this.record.stateHistory.push(JSON.stringify(this.record.state));
  }

  async saveState(patch: Record<string, unknown>): Promise<void> {
    this.mergeState(patch, 'saveState');
  }

  report(progress: Partial<ProgressFigures>): void {
    const last = this.record.reports[this.record.reports.length - 1] ?? EMPTY_PROGRESS;
    const merged: ProgressFigures = { ...last, ...progress };
    this.record.reports.push(merged);
    this.record.notify();
  }

  complete(manifest: FileManifest): void {
    if (this.role !== 'source') this.record.violations.push('complete() called on a destination handle');
    if (this.record.ended) this.record.violations.push('complete() called after the transfer had already ended');
    const problem = jsonProblem(manifest, 'manifest');
    if (problem) this.record.violations.push(problem);
    this.record.completions.push(jsonClone(manifest));
    this.record.notify();
  }

  fail(code: string, message: string): void {
    if (this.record.ended) this.record.violations.push(`fail(${code}) called after the transfer had already ended`);
    this.record.failures.push({ code, message });
    this.record.notify();
  }

  /** what the gateway does on cancel and on shutdown */
  abort(): void {
    this.controller.abort();
  }

  /** The handle a restarted gateway builds for the same transfer: same state and records, fresh signal. */
  reopen(): TestTransferHandle {
    return new TestTransferHandle(this.init, this.record);
  }
}
