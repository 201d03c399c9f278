import { appendFileSync, mkdirSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Remembers, per transfer, every '*.ferry-part' file a session created (one appended line each,
 * written before the file exists), so cancel removes exactly this transfer's partial files and
 * never another transfer's that shares the folder.
 */
export class PartJournal {
  private readonly seen = new Map<string, Set<string>>();
  private dirReady: Promise<void> | null = null;

  constructor(private readonly dir: string) {}

  async note(transferId: string, rel: string): Promise<void> {
    let set = this.seen.get(transferId);
    if (!set) this.seen.set(transferId, (set = new Set()));
    if (set.has(rel)) return;
    set.add(rel);
    // once per process, not once per part file (thousands of small files)
    this.dirReady ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    await this.dirReady.catch((e: unknown) => {
      this.dirReady = null;
      throw e;
    });
    await fs.appendFile(this.file(transferId), JSON.stringify(rel) + '\n', { mode: 0o600 });
  }

  /**
   * note() for a batch of part files at once, synchronously (the tree stream writes a batch of
   * small files with synchronous calls): one append for all of them, before any is created.
   */
  noteSync(transferId: string, rels: string[]): void {
    let set = this.seen.get(transferId);
    if (!set) this.seen.set(transferId, (set = new Set()));
    const fresh = rels.filter((r) => !set.has(r));
    if (fresh.length === 0) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    appendFileSync(this.file(transferId), fresh.map((r) => JSON.stringify(r) + '\n').join(''), { mode: 0o600 });
    for (const r of fresh) set.add(r);
  }

  async list(transferId: string): Promise<string[]> {
    let text = '';
    try {
      text = await fs.readFile(this.file(transferId), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const out = new Set<string>();
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.add(JSON.parse(line) as string);
      } catch {
        // a torn last line after a crash: the file it named was not created yet
      }
    }
    return [...out];
  }

  async drop(transferId: string): Promise<void> {
    this.seen.delete(transferId);
    await fs.rm(this.file(transferId), { force: true });
  }

  private file(transferId: string): string {
    return path.join(this.dir, `${transferId.replace(/[^A-Za-z0-9_.-]/g, '_')}.parts`);
  }
}
