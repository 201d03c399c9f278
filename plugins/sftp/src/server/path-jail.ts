import { lstatSync, readlinkSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** how long a folder found real by lstat is trusted without asking again (see PathJail.checkedFolders) */
const FOLDER_CHECK_TTL_MS = 1000;
const MAX_CHECKED_FOLDERS = 10_000;

/** A request path refused by the jail; the session answers PERMISSION_DENIED with `message`. */
export class JailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JailError';
  }
}

export interface JailedPath {
  /** path as the client sees it, always absolute inside the jail: '/', '/a/b' */
  virtual: string;
  /** relative to the jail root ('' = the root itself) */
  rel: string;
  /** absolute path on this host */
  real: string;
}

/**
 * Software chroot for one grant. The client's '/' is the grant's folder; every path is normalized
 * lexically ('..' may never climb above '/'), and every component that exists on disk is checked
 * with lstat so a symlink can never lead the session out of the folder. Opening a file also uses
 * O_NOFOLLOW and re-checks the opened descriptor's real path (closing the check-then-use race for
 * the final component).
 */
export class PathJail {
  /**
   * Folders (relative paths) lstat found to be real folders, and when. A folder checked moments
   * ago is not checked again: a tree of small files asked for the same parent folder's lstat
   * several times per file (open, rename source, rename target), which was most of the
   * destination's file-system calls. This session cannot create symlinks, and its own renames and
   * removals forget the paths they touch (forget()); what others change on the host is seen at the
   * next check, at most FOLDER_CHECK_TTL_MS later (opened files are re-checked through /proc anyway).
   */
  private readonly checkedFolders = new Map<string, number>();

  private constructor(readonly root: string) {}

  /** `root` must exist; it is canonicalized once so later prefix checks compare real paths. */
  static async create(root: string): Promise<PathJail> {
    return new PathJail(await fs.realpath(root));
  }

  resolve(input: string): JailedPath {
    if (input.includes('\0')) throw new JailError('path contains a NUL byte');
    const parts: string[] = [];
    for (const seg of input.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (parts.length === 0) throw new JailError(`path escapes the granted folder: ${input}`);
        parts.pop();
        continue;
      }
      parts.push(seg);
    }
    const rel = parts.join('/');
    return { virtual: '/' + rel, rel, real: rel ? path.join(this.root, ...parts) : this.root };
  }

  /** resolve() refusing the root itself (remove, rename, mkdir, open as a file) */
  resolveEntry(input: string): JailedPath {
    const jp = this.resolve(input);
    if (!jp.rel) throw new JailError('the granted folder itself cannot be used here');
    return jp;
  }

  /**
   * Refuses when any existing component below the root is a symlink. `finalMayBeLink` allows the
   * last component to be one (lstat, remove and rename act on the link itself, never its target).
   */
  async assertNoSymlinks(jp: JailedPath, finalMayBeLink = false): Promise<void> {
    const parts = jp.rel ? jp.rel.split('/') : [];
    let current = this.root;
    const now = Date.now();
    for (let i = 0; i < parts.length; i++) {
      current = path.join(current, parts[i]);
      const last = i === parts.length - 1;
      const rel = last ? jp.rel : parts.slice(0, i + 1).join('/');
      if (!last && now - (this.checkedFolders.get(rel) ?? -Infinity) < FOLDER_CHECK_TTL_MS) continue;
      let st;
      try {
        st = await fs.lstat(current);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      if (st.isSymbolicLink() && !(last && finalMayBeLink)) {
        throw new JailError(`symlinks are not followed: ${'/' + parts.slice(0, i + 1).join('/')}`);
      }
      if (!last && st.isDirectory()) {
        if (this.checkedFolders.size >= MAX_CHECKED_FOLDERS) this.checkedFolders.clear();
        this.checkedFolders.set(rel, now);
      }
    }
  }

  /**
   * assertNoSymlinks with synchronous lstat, for the tree stream's batches (docs/mechanism-sftp.md:
   * a dispatch to the thread pool per call cost more than the call itself on local disks).
   * `checkFinal` false checks only the folders above the entry (the caller opens it with
   * O_NOFOLLOW and re-checks the descriptor, or renames over it, which never follows a link).
   */
  assertNoSymlinksSync(jp: JailedPath, checkFinal = true): void {
    const parts = jp.rel ? jp.rel.split('/') : [];
    let current = this.root;
    const now = Date.now();
    const upTo = checkFinal ? parts.length : parts.length - 1;
    let rel = '';
    for (let i = 0; i < upTo; i++) {
      current = current + path.sep + parts[i];
      rel = rel ? rel + '/' + parts[i] : parts[i];
      const last = i === parts.length - 1;
      if (!last && now - (this.checkedFolders.get(rel) ?? -Infinity) < FOLDER_CHECK_TTL_MS) continue;
      let st;
      try {
        st = lstatSync(current);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw e;
      }
      if (st.isSymbolicLink()) throw new JailError(`symlinks are not followed: /${rel}`);
      if (!last && st.isDirectory()) {
        if (this.checkedFolders.size >= MAX_CHECKED_FOLDERS) this.checkedFolders.clear();
        this.checkedFolders.set(rel, now);
      }
    }
  }

  /** assertDescriptorInside, synchronously */
  assertDescriptorInsideSync(fd: number): void {
    let real: string;
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (!this.contains(real)) throw new JailError('opened file lies outside the granted folder');
  }

  /** Forgets checks of `jp` and everything below it (called before this session renames or removes it). */
  forget(jp: JailedPath): void {
    const prefix = jp.rel + '/';
    for (const rel of this.checkedFolders.keys()) if (rel === jp.rel || rel.startsWith(prefix)) this.checkedFolders.delete(rel);
  }

  /** True when a host path (e.g. an opened descriptor's real path) lies inside the jail. */
  contains(realPath: string): boolean {
    return realPath === this.root || realPath.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep);
  }

  /** Re-checks an opened descriptor through /proc (Linux); elsewhere the lstat walk stands alone. */
  async assertDescriptorInside(fd: number): Promise<void> {
    let real: string;
    try {
      real = await fs.readlink(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (!this.contains(real)) throw new JailError('opened file lies outside the granted folder');
  }
}
