import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * CPU seconds of process trees, from /proc (Linux). For each root the sum over the root and every
 * live descendant of utime + stime + cutime + cstime: a child that exits is added to its parent's
 * cutime/cstime when reaped, so the sum only grows and counts every process of the tree once,
 * including short-lived ones (scp's ssh, rsync's remote side, an sshd session).
 */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime */
  own: number;
  /** cutime + cstime */
  children: number;
}

function readStat(pid: number | 'self'): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // the command name is in parentheses and may contain spaces: fields start after the last ')'
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] = state (field 3), so field n is f[n - 3]
  return {
    pid: Number(text.slice(0, text.indexOf(' '))),
    ppid: Number(f[1]),
    own: Number(f[11]) + Number(f[12]),
    children: Number(f[13]) + Number(f[14]),
  };
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = readStat(Number(e));
    if (s) out.push(s);
  }
  return out;
}

/** CPU seconds used so far by the trees rooted at `roots`, plus (optionally) this process's reaped children. */
export function cpuSeconds(roots: number[], withOwnReapedChildren = false): number {
  const stats = allStats();
  const kids = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = kids.get(s.ppid);
    if (list) list.push(s);
    else kids.set(s.ppid, [s]);
  }
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const seen = new Set<number>();
  let ticks = 0;
  const walk = (s: ProcStat) => {
    if (seen.has(s.pid)) return;
    seen.add(s.pid);
    ticks += s.own + s.children;
    for (const c of kids.get(s.pid) ?? []) walk(c);
  };
  for (const r of roots) {
    const s = byPid.get(r);
    if (s) walk(s);
  }
  if (withOwnReapedChildren) ticks += readStat('self')?.children ?? 0;
  return ticks / TICKS;
}

/** Peak resident set (VmHWM) of a process in bytes, and a way to reset it (root; Linux >= 4.0). */
export function peakRssBytes(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

export function currentRssBytes(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Resets VmHWM to the current RSS so the next peak is the peak of what follows. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time of a group of processes. With a writable cgroup-v1 cpuacct hierarchy (root on this
 * machine) each group is a cgroup: every process put in it, and every process those start, is
 * counted, including ones that already exited (an sshd session whose parent does not reap it
 * into cutime, which the /proc sums above cannot see). Elsewhere it falls back to the /proc sums
 * over the adopted processes' trees.
 */
export interface CpuGroup {
  readonly name: string;
  /** counts `pid` and its current descendants (and all they start later) */
  adopt(pid: number): void;
  /** a command line that joins this group before it runs (for tools the bench spawns) */
  wrap(cmd: string, args: string[]): [string, string[]];
  seconds(): number;
  readonly exact: boolean;
}

const CGROUP_ROOT = '/sys/fs/cgroup/cpuacct';

export class CpuAccounting {
  private readonly groups: CpuGroup[] = [];
  private readonly base: string | null;

  constructor() {
    let base: string | null = path.join(CGROUP_ROOT, `ferry-bench-${process.pid}`);
    try {
      fs.mkdirSync(base);
    } catch {
      base = null;
    }
    this.base = base;
  }

  get exact(): boolean {
    return this.base !== null;
  }

  group(name: string): CpuGroup {
    const g = this.base ? cgroupGroup(path.join(this.base, name), name) : procGroup(name);
    this.groups.push(g);
    return g;
  }

  /** Moves what is still in our groups back to the root group and removes the groups. */
  dispose(): void {
    if (!this.base) return;
    for (const g of this.groups) {
      const dir = path.join(this.base, g.name);
      try {
        for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            fs.writeFileSync(path.join(CGROUP_ROOT, 'cgroup.procs'), pid);
          } catch {
            /* exited meanwhile */
          }
        }
        fs.rmdirSync(dir);
      } catch {
        /* already gone */
      }
    }
    try {
      fs.rmdirSync(this.base);
    } catch {
      /* still busy: the kernel removes nothing, a later run uses its own folder */
    }
  }
}

function descendants(pid: number): number[] {
  const stats = allStats();
  const out: number[] = [pid];
  for (let i = 0; i < out.length; i++) for (const s of stats) if (s.ppid === out[i]) out.push(s.pid);
  return out;
}

function cgroupGroup(dir: string, name: string): CpuGroup {
  fs.mkdirSync(dir, { recursive: true });
  const procs = path.join(dir, 'cgroup.procs');
  return {
    name,
    exact: true,
    adopt(pid) {
      for (const p of descendants(pid)) {
        try {
          fs.writeFileSync(procs, String(p));
        } catch {
          /* exited meanwhile */
        }
      }
    },
    wrap(cmd, args) {
      return ['/bin/sh', ['-c', `echo $$ > '${procs}' && exec "$@"`, 'sh', cmd, ...args]];
    },
    seconds() {
      return Number(fs.readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8').trim()) / 1e9;
    },
  };
}

function procGroup(name: string): CpuGroup {
  const roots: number[] = [];
  let ownChildren = false;
  return {
    name,
    exact: false,
    adopt(pid) {
      roots.push(pid);
    },
    wrap(cmd, args) {
      ownChildren = true;
      return [cmd, args];
    },
    seconds() {
      return cpuSeconds(roots, ownChildren);
    },
  };
}
