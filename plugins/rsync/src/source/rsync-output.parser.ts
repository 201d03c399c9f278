/**
 * Reads what rsync prints with `--info=progress2 --stats --no-human-readable`.
 *
 * progress2 lines (rewritten in place with \r, one about every second):
 *       50000000  94%  224.78MB/s    0:00:00 (xfr#1, to-chk=0/6)
 * bytes are the *whole run's* file data so far (skipped, unchanged files count nothing), the
 * percentage is of the whole file list, xfr# counts files sent in this run.
 */
export interface Progress2 {
  bytes: number;
  percent: number;
  /** bytes per second */
  rate: number | null;
  /** seconds, rsync's own estimate for this run */
  eta: number | null;
  transferred: number | null;
  toCheck: number | null;
  total: number | null;
}

const PROGRESS2 =
  /^\s*([\d,]+)\s+(\d{1,3})%\s+([\d.,]+)([kMGT]?B)\/s\s+(\d+:\d{2}:\d{2}|\d+:\d{2}|[?:]+)(?:\s+\(xfr#(\d+),\s*(?:ir|to)-chk=(\d+)\/(\d+)\))?\s*$/;

const UNIT: Record<string, number> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function parseProgress2(line: string): Progress2 | null {
  const m = PROGRESS2.exec(line);
  if (!m) return null;
  const [, bytes, pct, rate, unit, eta, xfr, toChk, total] = m;
  return {
    bytes: num(bytes),
    percent: Number(pct),
    rate: Number.isFinite(Number(rate.replace(/,/g, ''))) ? Math.round(Number(rate.replace(/,/g, '')) * (UNIT[unit] ?? 1)) : null,
    eta: parseClock(eta),
    transferred: xfr === undefined ? null : Number(xfr),
    toCheck: toChk === undefined ? null : Number(toChk),
    total: total === undefined ? null : Number(total),
  };
}

function parseClock(s: string): number | null {
  if (!/^\d/.test(s)) return null;
  return s.split(':').reduce((acc, p) => acc * 60 + Number(p), 0);
}

/** The --stats block (all figures in bytes / counts). */
export interface RsyncStats {
  numberOfFiles: number | null;
  /** "reg:" of "Number of files: N (reg: X, dir: Y, ...)"; 0 when the list has no regular file */
  regularFiles: number | null;
  regularFilesTransferred: number | null;
  totalFileSize: number | null;
  totalTransferredFileSize: number | null;
  literalData: number | null;
  matchedData: number | null;
  totalBytesSent: number | null;
}

export function parseStats(output: string): RsyncStats {
  const grab = (label: string) => {
    const m = new RegExp(`^${label}:\\s*([\\d,]+)`, 'm').exec(output);
    return m ? num(m[1]) : null;
  };
  const files = /^Number of files:\s*[\d,]+(?:\s*\(([^)]*)\))?/m.exec(output);
  const reg = files ? /(?:^|,\s*)reg:\s*([\d,]+)/.exec(files[1] ?? '') : null;
  return {
    numberOfFiles: grab('Number of files'),
    regularFiles: files ? (reg ? num(reg[1]) : 0) : null,
    regularFilesTransferred: grab('Number of regular files transferred'),
    totalFileSize: grab('Total file size'),
    totalTransferredFileSize: grab('Total transferred file size'),
    literalData: grab('Literal data'),
    matchedData: grab('Matched data'),
    totalBytesSent: grab('Total bytes sent'),
  };
}

function num(s: string): number {
  return Number(s.replace(/,/g, ''));
}

/**
 * Splits a child's stdout into lines at \r and \n (progress2 uses \r), keeping an incomplete tail
 * for the next chunk.
 */
export class LineSplitter {
  private tail = '';
  push(chunk: string): string[] {
    const parts = (this.tail + chunk).split(/[\r\n]/);
    this.tail = parts.pop() ?? '';
    return parts.filter((l) => l.length > 0);
  }
  flush(): string[] {
    const t = this.tail;
    this.tail = '';
    return t ? [t] : [];
  }
}
