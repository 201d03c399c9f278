import type { TaskView } from '@ferry/contracts';
import { isEndState } from '@ferry/contracts';
import { ellipsize, formatBytes, formatDuration, formatRate } from './format.util';

const BAR_WIDTH = 24;

/** One line for a task: state, bar, bytes, files, rate, ETA. */
export function progressLine(t: TaskView): string {
  const p = t.progress;
  const frac = p.bytesTotal ? Math.min(1, p.bytesDone / p.bytesTotal) : isEndState(t.state) && t.state === 'SUCCEEDED' ? 1 : 0;
  const filled = Math.round(frac * BAR_WIDTH);
  const bar = '[' + '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled) + ']';
  const pct = p.bytesTotal ? `${(frac * 100).toFixed(1).padStart(5)}%` : '    ?%';
  const files = `${p.filesDone}/${p.filesTotal ?? '?'} files`;
  const bytes = `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`;
  const tail = isEndState(t.state)
    ? t.error
      ? `${t.error.code}: ${t.error.message}`
      : ''
    : `${formatRate(p.rate)}  ETA ${formatDuration(p.eta)}${p.message ? `  ${p.message}` : ''}`;
  const name = ellipsize(t.label ?? `${t.sourceLabel} -> ${t.destinationLabel}`, 40);
  return `${t.id.slice(0, 8)} ${t.state.padEnd(16)} ${bar} ${pct}  ${bytes}  ${files}  ${tail}  ${name}`.trimEnd();
}

/**
 * Draws progress lines for a set of tasks. On a terminal it redraws in place; otherwise (a pipe, a
 * CI log) it prints a line only when a task's state changes or every `quietMs`, so logs stay short.
 */
export class ProgressRenderer {
  private drawnLines = 0;
  private lastPrinted = new Map<string, { state: string; at: number }>();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quietMs = 5000,
  ) {}

  private get tty(): boolean {
    return !!this.out.isTTY;
  }

  render(tasks: TaskView[]): void {
    if (this.tty) {
      const lines = tasks.map(progressLine);
      const cols = this.out.columns || 120;
      if (this.drawnLines > 0) this.out.write(`\x1b[${this.drawnLines}A`);
      for (const l of lines) this.out.write('\x1b[2K' + l.slice(0, cols - 1) + '\n');
      this.drawnLines = lines.length;
      return;
    }
    const now = Date.now();
    for (const t of tasks) {
      const last = this.lastPrinted.get(t.id);
      if (!last || last.state !== t.state || now - last.at >= this.quietMs) {
        this.out.write(progressLine(t) + '\n');
        this.lastPrinted.set(t.id, { state: t.state, at: now });
      }
    }
  }
}
