import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Clock, PluginLogger } from '@ferry/plugin-sdk';
import { assertAccountName, lookupAccount, type LocalAccount } from './account.util';
import { buildFerryKeyLine, isValidTransferId, parseFerryKeyLine, type FerryKeyOptions } from './authorized-key-line.util';
import { FileLocks } from './file-lock.util';
import { OpenSshError } from './openssh.error';

/**
 * Who owns an account's key file. sshd opens it *as the account* (it drops to the account's uid
 * and groups first) and, with StrictModes, refuses a file or folder that is writable by group or
 * others or owned by someone other than root or the account.
 *
 * - 'root'    root:<account's group> 0640 — readable by sshd-as-the-account, but the account cannot
 *             add keys of its own. The default when the gateway runs as root.
 * - 'account' <account>:<group> 0600 — what ~/.ssh/authorized_keys usually is; the account could
 *             edit it. Needs root to chown.
 * - 'self'    whoever runs the gateway, 0600 — for a gateway that runs as the one account it serves.
 */
export type KeyFileOwnership = 'root' | 'account' | 'self';

export interface AuthorizedKeysManagerOptions {
  /** the folder of `AuthorizedKeysFile <dir>/%u`; root-owned and not group/world-writable */
  dir: string;
  ownership?: KeyFileOwnership;
  logger?: PluginLogger;
  clock?: { now(): Date } | Clock;
}

export interface AddKeyRequest extends FerryKeyOptions {
  /** the local account the key logs in as (file `<dir>/<account>`) */
  account: string;
}

export interface InstalledKey {
  account: string;
  transferId: string;
  expiresAt: Date;
  /** 'type base64' */
  publicKey: string;
}

/**
 * Keeps ferry's one-transfer keys in a folder of per-account authorized_keys files that sshd reads
 * (see docs/operator-guide-openssh.md). Only lines carrying ferry's marker are ever changed;
 * anything else an operator put in a file stays byte for byte.
 *
 * Every change rewrites the whole file to a temporary name in the same folder, sets owner and mode,
 * fsyncs and renames over the old one, so sshd sees either the old or the new file, never half.
 * Changes to one file are serialized (in-process queue + lock file between processes).
 */
export class AuthorizedKeysManager {
  readonly dir: string;
  private readonly ownership: KeyFileOwnership;
  private readonly locks = new FileLocks();
  private readonly clock: { now(): Date };

  constructor(private readonly opts: AuthorizedKeysManagerOptions) {
    if (!path.isAbsolute(opts.dir)) throw new OpenSshError('BAD_OPTION', 'authorized-keys folder must be an absolute path');
    this.dir = path.resolve(opts.dir);
    this.ownership = opts.ownership ?? (process.getuid?.() === 0 ? 'root' : 'self');
    this.clock = opts.clock ?? { now: () => new Date() };
    if (this.ownership !== 'self' && process.getuid?.() !== 0) {
      throw new OpenSshError('BAD_OPTION', `key file ownership '${this.ownership}' needs the gateway to run as root; use 'self'`);
    }
  }

  /** `<dir>/<account>` */
  fileFor(account: string): string {
    assertAccountName(account);
    return path.join(this.dir, account);
  }

  /**
   * Adds (or replaces: idempotent by transfer id) the key for one transfer. Refuses a key that has
   * already expired, and the root account.
   */
  async add(req: AddKeyRequest): Promise<InstalledKey> {
    assertAccountName(req.account);
    if (req.account === 'root') throw new OpenSshError('BAD_ACCOUNT', 'ferry never installs keys for root');
    if (req.expiresAt.getTime() <= this.clock.now().getTime()) throw new OpenSshError('BAD_OPTION', 'the key would already be expired');
    const built = buildFerryKeyLine(req);
    const account = this.ownership === 'self' ? undefined : await this.account(req.account);
    if (account?.uid === 0) throw new OpenSshError('BAD_ACCOUNT', 'ferry never installs keys for uid 0');
    await this.rewrite(req.account, account, (lines) => [
      ...lines.filter((l) => parseFerryKeyLine(l)?.transferId !== req.transferId),
      built.line,
    ]);
    this.opts.logger?.info('authorized ferry key', { account: req.account, transferId: req.transferId, expiresAt: built.expiresAt.toISOString() });
    return { account: req.account, transferId: req.transferId, expiresAt: built.expiresAt, publicKey: built.publicKey };
  }

  /**
   * Removes every key of this transfer. With `account`, only that file is looked at; without, all
   * files in the folder (for callers that lost track of the account). Returns what was removed;
   * removing nothing is not an error (idempotent).
   */
  async remove(transferId: string, account?: string): Promise<InstalledKey[]> {
    if (!isValidTransferId(transferId)) return [];
    const accounts = account !== undefined ? [account] : await this.accounts();
    const removed: InstalledKey[] = [];
    for (const a of accounts) {
      removed.push(...(await this.removeWhere(a, (k) => k.transferId === transferId)));
    }
    if (removed.length > 0) this.opts.logger?.info('revoked ferry key', { transferId, accounts: [...new Set(removed.map((k) => k.account))] });
    return removed;
  }

  /** Removes every ferry key whose expiry has passed, in every file. Returns what it removed. */
  async sweep(now: Date = this.clock.now()): Promise<InstalledKey[]> {
    const removed: InstalledKey[] = [];
    for (const a of await this.accounts()) {
      removed.push(...(await this.removeWhere(a, (k) => k.expiresAt.getTime() <= now.getTime())));
    }
    if (removed.length > 0) this.opts.logger?.info('swept expired ferry keys', { transferIds: removed.map((k) => k.transferId) });
    return removed;
  }

  /** Ferry keys present now (one account's file, or all). */
  async list(account?: string): Promise<InstalledKey[]> {
    const out: InstalledKey[] = [];
    for (const a of account !== undefined ? [account] : await this.accounts()) {
      for (const l of await this.readLines(a)) {
        const k = parseFerryKeyLine(l);
        if (k) out.push({ account: a, transferId: k.transferId, expiresAt: k.expiresAt, publicKey: k.publicKey });
      }
    }
    return out;
  }

  /**
   * What sshd's StrictModes would object to on the way to the folder: every component from the
   * folder up to / must be owned by root (or, for 'self', by the gateway's user) and not writable
   * by group or others. Returns readable problems; empty when fine.
   */
  async checkDirectory(): Promise<string[]> {
    const problems: string[] = [];
    const me = process.getuid?.() ?? 0;
    let dir = this.dir;
    try {
      const st = await fs.stat(dir);
      if (!st.isDirectory()) return [`${dir} is not a directory`];
    } catch {
      return [`${dir} does not exist`];
    }
    for (;;) {
      const st = await fs.stat(dir);
      const okOwner = st.uid === 0 || (this.ownership === 'self' && st.uid === me);
      if (!okOwner) problems.push(`${dir} is owned by uid ${st.uid}; sshd's StrictModes wants root`);
      if ((st.mode & 0o022) !== 0) problems.push(`${dir} is writable by group or others (mode ${(st.mode & 0o7777).toString(8)}); sshd's StrictModes refuses that`);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return problems;
  }

  private async removeWhere(account: string, match: (k: InstalledKey) => boolean): Promise<InstalledKey[]> {
    assertAccountName(account);
    // cheap read first: most files hold nothing to remove, and then we take no lock and write nothing
    const hits = (await this.readLines(account)).some((l) => {
      const k = parseFerryKeyLine(l);
      return !!k && match({ account, ...k });
    });
    if (!hits) return [];
    const removed: InstalledKey[] = [];
    const owner = this.ownership === 'self' ? undefined : await this.account(account).catch(() => undefined);
    await this.rewrite(account, owner, (lines) =>
      lines.filter((l) => {
        const k = parseFerryKeyLine(l);
        if (!k) return true;
        const key = { account, transferId: k.transferId, expiresAt: k.expiresAt, publicKey: k.publicKey };
        if (!match(key)) return true;
        removed.push(key);
        return false;
      }),
    );
    return removed;
  }

  /** Read–modify–write under the file's lock; an empty result deletes the file. */
  private async rewrite(name: string, account: LocalAccount | undefined, mutate: (lines: string[]) => string[]): Promise<void> {
    const file = this.fileFor(name);
    await this.locks.with(file, path.join(this.dir, `.${name}.lock`), async () => {
      const before = await this.readLines(name);
      const after = mutate(before);
      if (after.length === before.length && after.every((l, i) => l === before[i])) return;
      if (after.length === 0) {
        await fs.rm(file, { force: true });
        return;
      }
      const tmp = path.join(this.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      const mode = this.ownership === 'root' ? 0o640 : 0o600;
      try {
        const h = await fs.open(tmp, 'wx', 0o600);
        try {
          await h.writeFile(after.join('\n') + '\n', 'utf8');
          if (this.ownership === 'root' && account) await h.chown(0, account.gid);
          // a file the account cannot read (root-owned, no group) would silently refuse every key
          if (this.ownership === 'root' && !account) await h.chown(0, 0);
          if (this.ownership === 'account' && account) await h.chown(account.uid, account.gid);
          await h.chmod(mode);
          await h.sync();
        } finally {
          await h.close();
        }
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e instanceof OpenSshError ? e : new OpenSshError('IO', `could not write ${file}: ${(e as Error).message}`);
      }
    });
  }

  private async readLines(account: string): Promise<string[]> {
    try {
      const text = await fs.readFile(this.fileFor(account), 'utf8');
      return text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new OpenSshError('IO', `could not read ${this.fileFor(account)}: ${(e as Error).message}`);
    }
  }

  /** account files in the folder (dot files are our locks and temporaries) */
  private async accounts(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => !n.startsWith('.') && /^[A-Za-z_][A-Za-z0-9._-]{0,30}\$?$/.test(n));
  }

  private readonly accountCache = new Map<string, { at: number; account: LocalAccount }>();
  private async account(name: string): Promise<LocalAccount> {
    const hit = this.accountCache.get(name);
    if (hit && Date.now() - hit.at < 60_000) return hit.account;
    const account = await lookupAccount(name);
    this.accountCache.set(name, { at: Date.now(), account });
    return account;
  }
}
