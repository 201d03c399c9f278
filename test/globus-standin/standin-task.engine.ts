import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { globusTime, type PlannedFile, type StandinTask } from './standin-model';
import type { StandinRegistry } from './standin-registry';
import { makeEvent } from './standin-task.view';

/**
 * Moves tasks along on a timer, copying real bytes between the folders that stand for collections.
 * Like Globus: at most N running tasks per identity (the rest "Queued"), permissions checked while
 * running (a missing ACL rule shows PERMISSION_DENIED and, after some retries, fails the task),
 * sync_level skips, verify_checksum compares checksums of both copies.
 */
export class StandinTaskEngine {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly reg: StandinRegistry) {}

  start(): void {
    const loop = () => {
      try {
        this.tick();
      } catch {
        // a tick must never kill the loop; errors are reflected in task state
      }
      this.timer = setTimeout(loop, this.reg.settings.tickMs);
    };
    this.timer = setTimeout(loop, this.reg.settings.tickMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  tick(): void {
    const byOwner = new Map<string, StandinTask[]>();
    for (const t of this.reg.tasks.values()) {
      if (t.status !== 'ACTIVE' && t.status !== 'INACTIVE') continue;
      const list = byOwner.get(t.owner) ?? [];
      list.push(t);
      byOwner.set(t.owner, list);
    }
    for (const list of byOwner.values()) {
      list.sort((a, b) => a.seq - b.seq);
      let running = 0;
      for (const t of list) {
        if (t.inactive) {
          t.status = 'INACTIVE';
          t.nice_status = 'CREDENTIALS_EXPIRED';
          t.nice_status_short_description = 'Credentials expired: the task is suspended';
          continue;
        }
        t.status = 'ACTIVE';
        if (running >= this.reg.settings.maxActivePerIdentity) {
          t.nice_status = 'Queued';
          t.nice_status_short_description = 'Queued';
          continue;
        }
        running++;
        this.step(t);
      }
    }
  }

  /** Stop a task for good (cancel, expiry or a fatal error). */
  end(t: StandinTask, fatal: { code: string; description: string } | null): void {
    const now = Date.now();
    t.status = fatal ? 'FAILED' : 'SUCCEEDED';
    t.fatal_error = fatal;
    t.nice_status = null;
    t.nice_status_short_description = null;
    t.completion_time = globusTime(now);
    t.events.push(fatal ? makeEvent(fatal.code, fatal.description, fatal.code !== 'CANCELED') : makeEvent('SUCCEEDED', 'succeeded'));
  }

  private step(t: StandinTask): void {
    if (Date.parse(t.deadline) <= Date.now()) return this.end(t, { code: 'EXPIRED', description: 'The task reached its deadline' });
    if (!t.started_at) {
      t.started_at = Date.now();
      t.events.push(makeEvent('STARTED', 'started'));
    }
    if (t.fault) return this.applyFault(t);
    if (t.type === 'DELETE') return this.stepDelete(t);
    const problem = this.checkAccess(t) ?? (t.plan ? null : this.expand(t));
    if (problem) return this.retryOrFail(t, problem);
    if (t.deniedTicks > 0) {
      t.deniedTicks = 0;
      t.events.push(makeEvent('PROGRESS', 'resumed after error'));
    }
    t.nice_status = 'OK';
    t.nice_status_short_description = 'OK';
    this.copy(t, this.reg.settings.bytesPerTick);
    if (t.plan!.every((f) => f.done)) this.end(t, null);
  }

  /** A delete task removes its paths in one step, given rw on each. */
  private stepDelete(t: StandinTask): void {
    const coll = this.reg.collection(t.source_endpoint_id);
    for (const p of t.deleteItems) {
      if (!this.reg.allows(coll, t.owner, p, 'rw')) return this.retryOrFail(t, { code: 'PERMISSION_DENIED', description: `Permission denied deleting ${p} on ${coll.id}` });
    }
    for (const p of t.deleteItems) {
      const local = this.reg.localPath(coll, p);
      let st: fs.Stats | null = null;
      try {
        st = fs.lstatSync(local);
      } catch {
        continue; // already gone: Globus' ignore_missing behaviour
      }
      if (st.isDirectory() && !t.recursive) return this.end(t, { code: 'NOT_A_FILE', description: `${p} is a directory; set recursive` });
      fs.rmSync(local, { recursive: true, force: true });
      t.files_transferred++;
    }
    this.end(t, null);
  }

  private applyFault(t: StandinTask): void {
    const f = t.fault!;
    const consent = f.kind === 'ConsentRequired';
    const code = consent ? 'CONSENT_REQUIRED' : 'PERMISSION_DENIED';
    const description = consent
      ? `Missing required data_access consent for collection ${t.destination_endpoint_id}`
      : `Permission denied on collection ${t.destination_endpoint_id}`;
    if (f.ticksLeft > 0) {
      f.ticksLeft--;
      this.retryOrFail(t, { code, description }, false);
      return;
    }
    this.end(t, { code, description });
  }

  /** Permission on every source (read) and destination (write) path, checked at every step. */
  private checkAccess(t: StandinTask): { code: string; description: string } | null {
    const src = this.reg.collection(t.source_endpoint_id);
    const dst = this.reg.collection(t.destination_endpoint_id!);
    for (const it of t.items) {
      if (!this.reg.allows(src, t.owner, it.source_path, 'r')) {
        return { code: 'PERMISSION_DENIED', description: `Permission denied reading ${it.source_path} on ${src.id}` };
      }
      if (!this.reg.allows(dst, t.owner, it.destination_path, 'rw')) {
        return { code: 'PERMISSION_DENIED', description: `Permission denied writing ${it.destination_path} on ${dst.id}` };
      }
    }
    return null;
  }

  private retryOrFail(t: StandinTask, p: { code: string; description: string }, count = true): void {
    if (t.nice_status !== p.code) t.events.push(makeEvent(p.code, p.description, true, `Error (transfer)\n${p.description}`));
    t.nice_status = p.code;
    t.nice_status_short_description = p.description;
    t.faults++;
    if (count && ++t.deniedTicks >= this.reg.settings.permissionRetryTicks) this.end(t, p);
  }

  /** Expands the items into files (and empty folders); applies sync_level. */
  private expand(t: StandinTask): { code: string; description: string } | null {
    const src = this.reg.collection(t.source_endpoint_id);
    const dst = this.reg.collection(t.destination_endpoint_id!);
    const plan: PlannedFile[] = [];
    const dirs: string[] = [];
    for (const it of t.items) {
      const s = this.reg.localPath(src, it.source_path);
      const d = this.reg.localPath(dst, it.destination_path);
      let st: fs.Stats;
      try {
        st = fs.statSync(s);
      } catch {
        return { code: 'FILE_NOT_FOUND', description: `No such file or directory: ${it.source_path}` };
      }
      if (st.isDirectory()) {
        if (!it.recursive) return { code: 'NOT_A_FILE', description: `${it.source_path} is a directory; set recursive` };
        walk(s, d, plan, dirs);
      } else {
        plan.push(planned(s, d, st.size));
      }
    }
    for (const f of plan) f.skip = this.skippable(f, t.sync_level);
    t.plan = plan;
    t.planDirs = dirs;
    t.files = plan.length;
    t.directories = dirs.length;
    for (const d of dirs) fs.mkdirSync(d, { recursive: true });
    for (const f of plan) {
      if (f.skip) {
        f.done = true;
        t.files_skipped++;
      }
    }
    return null;
  }

  private skippable(f: PlannedFile, level: number | null): boolean {
    if (level === null) return false;
    let ds: fs.Stats;
    try {
      ds = fs.statSync(f.dst);
    } catch {
      return false;
    }
    if (level === 0) return true;
    if (ds.size !== f.size) return false;
    if (level === 1) return true;
    if (level === 2) return ds.mtimeMs >= fs.statSync(f.src).mtimeMs;
    return md5(f.src) === md5(f.dst);
  }

  private copy(t: StandinTask, budget: number): void {
    for (const f of t.plan!) {
      if (f.done) continue;
      if (budget <= 0) return;
      if (f.copied === 0) fs.mkdirSync(path.dirname(f.dst), { recursive: true });
      const n = Math.min(budget, f.size - f.copied);
      const fdIn = fs.openSync(f.src, 'r');
      const fdOut = fs.openSync(f.dst, f.copied === 0 ? 'w' : 'r+');
      try {
        const buf = Buffer.allocUnsafe(n);
        const got = n > 0 ? fs.readSync(fdIn, buf, 0, n, f.copied) : 0;
        if (got > 0) fs.writeSync(fdOut, buf, 0, got, f.copied);
        f.copied += got;
        t.bytes_transferred += got;
        budget -= got;
        if (got < n) f.size = f.copied; // the source shrank: take what is there
      } finally {
        fs.closeSync(fdIn);
        fs.closeSync(fdOut);
      }
      if (f.copied >= f.size) {
        f.done = true;
        t.files_transferred++;
        if (t.verify_checksum) {
          if (md5(f.src) !== md5(f.dst)) {
            // Globus retries a file whose checksums differ
            f.copied = 0;
            f.done = false;
            t.files_transferred--;
            t.faults++;
            t.events.push(makeEvent('VERIFY_CHECKSUM', `checksum mismatch on ${f.dst}`, true));
            continue;
          }
          t.bytes_checksummed += f.size;
        }
      }
    }
  }
}

function planned(src: string, dst: string, size: number): PlannedFile {
  return { src, dst, size, copied: 0, skip: false, done: false };
}

function walk(srcDir: string, dstDir: string, plan: PlannedFile[], dirs: string[]): void {
  dirs.push(dstDir);
  for (const e of fs.readdirSync(srcDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const s = path.join(srcDir, e.name);
    const d = path.join(dstDir, e.name);
    if (e.isDirectory()) walk(s, d, plan, dirs);
    else if (e.isFile()) plan.push(planned(s, d, fs.statSync(s).size));
  }
}

function md5(file: string): string {
  return createHash('md5').update(fs.readFileSync(file)).digest('hex');
}
