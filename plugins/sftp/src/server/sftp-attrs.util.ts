import type { Stats } from 'node:fs';
import type { Attributes } from 'ssh2';

/** fs.Stats -> SFTP ATTRS (times in whole seconds, as SFTP v3 carries them). */
export function attrsOf(st: Stats): Attributes {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The `ls -l`-like line SFTP v3 READDIR carries next to each name (clients display it verbatim). */
export function longnameOf(name: string, st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (st.mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  const d = st.mtime;
  const date = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${d.getUTCFullYear()}`;
  return `${type}${bits} 1 ${st.uid} ${st.gid} ${String(st.size).padStart(10)} ${date} ${name}`;
}
