import { parseListEntry, regularFilesOf, unescapeRsyncName } from './rsync-file-list.parser';
import { parseStats } from './rsync-output.parser';

describe("rsync's itemized file list", () => {
  it('reads sent, unchanged, folder and symlink entries; progress and stats lines are not entries', () => {
    expect(parseListEntry('<f+++++++++ 4096 tree/d00/f0001')).toEqual({ type: 'f', size: 4096, path: 'tree/d00/f0001' });
    expect(parseListEntry('.f          3 tree/a b/x')).toEqual({ type: 'f', size: 3, path: 'tree/a b/x' });
    expect(parseListEntry('<f.st...... 12 big.bin')).toEqual({ type: 'f', size: 12, path: 'big.bin' });
    expect(parseListEntry('cd+++++++++ 4096 tree/d01/')).toMatchObject({ type: 'd', path: 'tree/d01/' });
    expect(parseListEntry('cL+++++++++ 1 tree/lnk')).toMatchObject({ type: 'L', size: 1 });
    expect(parseListEntry('             10  90%    6.84kB/s    0:00:00 (xfr#4, to-chk=1/9)')).toBeNull();
    expect(parseListEntry('Number of files: 9 (reg: 4, dir: 4, link: 1)')).toBeNull();
    expect(parseListEntry('skipping non-regular file "tree/fifo"')).toBeNull();
    expect(parseListEntry('*deleting   tree/old')).toBeNull();
  });

  it('decodes \\#ooo escapes (newlines, UTF-8 bytes) and leaves other backslashes alone', () => {
    expect(unescapeRsyncName('we ird\\#012name')).toBe('we ird\nname');
    expect(unescapeRsyncName('\\#303\\#274n\\#303\\#257')).toBe('ünï');
    expect(unescapeRsyncName('a\\b\\#1x')).toBe('a\\b\\#1x');
    // rsync escapes a literal backslash that precedes '#ddd' so the name stays unambiguous
    expect(unescapeRsyncName('x\\#134#012')).toBe('x\\#012');
    expect(parseListEntry('<f+++++++++ 2 emoji \\#360\\#237\\#230\\#200.txt')?.path).toBe('emoji 😀.txt');
  });

  it('keeps the regular files only when they agree with --stats (count and total size with symlinks)', () => {
    const entries = ['cd+++++++++ 4096 t/', 'cL+++++++++ 1 t/lnk', '<f+++++++++ 3 t/x', '.f          7 t/y'].map((l) => parseListEntry(l)!);
    const stats = parseStats('Number of files: 4 (reg: 2, dir: 1, link: 1)\nTotal file size: 11 bytes\n');
    expect(regularFilesOf(entries, stats)).toEqual([
      { path: 't/x', size: 3 },
      { path: 't/y', size: 7 },
    ]);
    // a line lost: one file short, or sizes that do not add up
    expect(regularFilesOf(entries.slice(0, 3), stats)).toBeNull();
    expect(regularFilesOf(entries, parseStats('Number of files: 4 (reg: 2, dir: 1, link: 1)\nTotal file size: 12 bytes\n'))).toBeNull();
    expect(regularFilesOf(entries, parseStats('no stats'))).toBeNull();
    // an empty folder: no regular file at all
    expect(regularFilesOf([entries[0]], parseStats('Number of files: 1 (dir: 1)\nTotal file size: 0 bytes\n'))).toEqual([]);
  });
});
