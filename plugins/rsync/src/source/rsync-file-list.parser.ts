import type { RsyncStats } from './rsync-output.parser';

/**
 * rsync's own account of the file list, from `--out-format='%i %l %n'` with `--info=name2` (every
 * entry is printed, changed or not), so the source need not list the tree itself:
 *
 *   <f+++++++++ 4096 tree/d00/f0001      sent
 *   .f          4096 tree/d00/f0002      already up to date at the destination
 *   cd+++++++++ 4096 tree/d01/           a folder (created), cL… a symlink
 *
 * %i is 11 characters (update type, file type, 9 attribute columns that are spaces when nothing
 * changed), %l the size in the sender's file list (a symlink's target length), %n the path
 * relative to the destination folder. rsync escapes every byte it would not print as `\#ooo`
 * (octal), and a literal backslash only where it is followed by `#` and three digits, so the
 * name decodes unambiguously; with LC_ALL=C every non-ASCII byte is escaped, so names that are
 * not valid UTF-8 come back as their bytes.
 */
export interface RsyncListEntry {
  /** 'f' regular file, 'd' folder, 'L' symlink, 'D' device, 'S' special */
  type: string;
  size: number;
  path: string;
}

/** the output format the job asks rsync for; parseListEntry reads it */
export const LIST_OUT_FORMAT = '%i %l %n';

const ITEMIZED = /^[<>ch.][fdLDS][^\r\n]{9} (\d+) (.+)$/;

export function parseListEntry(line: string): RsyncListEntry | null {
  const m = ITEMIZED.exec(line);
  if (!m) return null;
  return { type: line[1], size: Number(m[1]), path: unescapeRsyncName(m[2]) };
}

export function unescapeRsyncName(s: string): string {
  if (!s.includes('\\#')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const esc = s.startsWith('\\#', i) && /^[0-7]{3}$/.test(s.slice(i + 2, i + 5));
    if (esc) {
      bytes.push(parseInt(s.slice(i + 2, i + 5), 8));
      i += 5;
    } else {
      // characters rsync printed as they are: ASCII under LC_ALL=C, UTF-8 otherwise
      for (const b of Buffer.from(s[i], 'utf8')) bytes.push(b);
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The regular files of the list, checked against rsync's own --stats: as many as "reg:" counts,
 * and with the symlinks' lengths they add up to "Total file size". null when they do not (a line
 * lost or misread): the caller then lists the tree itself rather than send a short manifest.
 */
export function regularFilesOf(entries: readonly RsyncListEntry[], stats: RsyncStats): Array<{ path: string; size: number }> | null {
  if (stats.regularFiles === null || stats.totalFileSize === null) return null;
  const files: Array<{ path: string; size: number }> = [];
  let total = 0;
  for (const e of entries) {
    if (e.type === 'f') files.push({ path: e.path, size: e.size });
    if (e.type === 'f' || e.type === 'L') total += e.size;
  }
  if (files.length !== stats.regularFiles || total !== stats.totalFileSize) return null;
  if (new Set(files.map((f) => f.path)).size !== files.length) return null;
  return files;
}
