import { LineSplitter, parseProgress2, parseStats } from './rsync-output.parser';

describe('rsync output parsing', () => {
  it('reads progress2 lines, with and without the xfr/to-chk part', () => {
    expect(parseProgress2('       50000000  94%  224.78MB/s    0:00:00 (xfr#1, to-chk=0/6)')).toEqual({
      bytes: 50_000_000,
      percent: 94,
      rate: Math.round(224.78 * 1024 * 1024),
      eta: 0,
      transferred: 1,
      toCheck: 0,
      total: 6,
    });
    expect(parseProgress2('      3,000,000  99%   76.48kB/s    1:02:03  ')).toMatchObject({ bytes: 3_000_000, rate: Math.round(76.48 * 1024), eta: 3723, transferred: null });
    expect(parseProgress2('  10878976  20%   10.00MB/s    0:00:04 (xfr#3, ir-chk=1000/1027)')).toMatchObject({ transferred: 3, toCheck: 1000, total: 1027 });
    expect(parseProgress2('Number of files: 5 (reg: 3, dir: 2)')).toBeNull();
    expect(parseProgress2('sending incremental file list')).toBeNull();
  });

  it('reads the --stats block, with or without digit separators', () => {
    const out = [
      'Number of files: 1,005 (reg: 1,003, dir: 2)',
      'Number of created files: 0',
      'Number of regular files transferred: 0',
      'Total file size: 52428800 bytes',
      'Total transferred file size: 0 bytes',
      'Literal data: 0 bytes',
      'Matched data: 0 bytes',
      'Total bytes sent: 126',
    ].join('\n');
    expect(parseStats(out)).toEqual({
      numberOfFiles: 1005,
      regularFiles: 1003,
      regularFilesTransferred: 0,
      totalFileSize: 52_428_800,
      totalTransferredFileSize: 0,
      literalData: 0,
      matchedData: 0,
      totalBytesSent: 126,
    });
    expect(parseStats('nothing here').totalTransferredFileSize).toBeNull();
  });

  it('splits progress2 output at carriage returns across chunks', () => {
    const s = new LineSplitter();
    expect(s.push('   100  1%  1.00kB/s    0:00:01\r   2')).toEqual(['   100  1%  1.00kB/s    0:00:01']);
    expect(s.push('00  2%  1.00kB/s    0:00:01\r\n\nNumber of files: 1')).toEqual(['   200  2%  1.00kB/s    0:00:01']);
    expect(s.flush()).toEqual(['Number of files: 1']);
  });
});
