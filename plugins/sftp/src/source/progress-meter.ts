import type { TransferHandle } from '@ferry/plugin-sdk';

/**
 * Progress of one transfer across its runs (pause/resume, retries, recover in the same process).
 * Per file it keeps the most bytes ever confirmed, so the sum never decreases even when a resumed
 * run starts a little below where the last one stopped (the resume window).
 */
export class ProgressMeter {
  private readonly perFile = new Map<string, number>();
  private readonly done = new Set<string>();
  private bytes = 0;
  private bytesTotal: number | null = null;
  private filesTotal: number | null = null;

  constructor(private readonly t: TransferHandle) {}

  setTotals(bytesTotal: number, filesTotal: number): void {
    this.bytesTotal = bytesTotal;
    this.filesTotal = filesTotal;
    this.report();
  }

  /** `confirmed` = bytes of this file known to be at the destination in the current run */
  update(rel: string, confirmed: number): void {
    if (this.confirm(rel, confirmed)) this.report();
  }

  /** One report per file, not one for its bytes and one for its count. */
  fileDone(rel: string, size: number): void {
    this.filesDone([{ rel, size }]);
  }

  /** fileDone for many files at once, with one report (a re-sync finds 10,000 files up to date). */
  filesDone(files: ReadonlyArray<{ rel: string; size: number }>): void {
    let changed = false;
    for (const f of files) {
      if (this.confirm(f.rel, f.size)) changed = true;
      if (!this.done.has(f.rel)) {
        this.done.add(f.rel);
        changed = true;
      }
    }
    if (changed) this.report();
  }

  private confirm(rel: string, confirmed: number): boolean {
    const before = this.perFile.get(rel) ?? 0;
    if (confirmed <= before) return false;
    this.perFile.set(rel, confirmed);
    this.bytes += confirmed - before;
    return true;
  }

  message(text: string): void {
    this.report(text);
  }

  private report(message?: string): void {
    this.t.report({
      bytesDone: this.bytes,
      bytesTotal: this.bytesTotal,
      filesDone: this.done.size,
      filesTotal: this.filesTotal,
      ...(message !== undefined ? { message } : {}),
    });
  }
}
