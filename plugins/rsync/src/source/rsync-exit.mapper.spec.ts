import { mapRsyncExit } from './rsync-exit.mapper';

describe('rsync exit mapping', () => {
  const map = (code: number | null, stderr = '', signal: NodeJS.Signals | null = null) => mapRsyncExit({ code, signal, stderr });

  it('turns ssh refusals into AUTH_FAILED that is not retried', () => {
    const e = map(255, 'ferrytest1@127.0.0.1: Permission denied (publickey).\r\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\nrsync error: unexplained error (code 255) at io.c(232) [sender=3.5.0]\n');
    expect({ code: e.code, retry: e.retry }).toEqual({ code: 'AUTH_FAILED', retry: 'fatal' });
    expect(e.message).toMatch(/refused the transfer key/);
    expect(e.message).toMatch(/Permission denied \(publickey\)/);
    expect(e.message).not.toMatch(/at io\.c/);
    expect(map(255, 'Host key verification failed.\n').message).toMatch(/host key does not match/);
  });

  it('retries what a new connection can fix, and not what it cannot', () => {
    expect(map(255, 'ssh: connect to host 127.0.0.1 port 1: Connection refused').retry).toBe('retry');
    expect(map(30, 'rsync error: timeout in data send/receive (code 30)')).toMatchObject({ code: 'PEER_UNREACHABLE', retry: 'retry' });
    expect(map(12, 'rsync: connection unexpectedly closed')).toMatchObject({ retry: 'retry' });
    expect(map(null, '', 'SIGKILL')).toMatchObject({ code: 'PROCESS_FAILED', retry: 'retry' });
    expect(map(23, 'rsync: [sender] send_files failed to open "/d/x": Permission denied (13)')).toMatchObject({ code: 'PERMISSION_DENIED', retry: 'no-retry' });
    expect(map(11, 'rsync: write failed on "/d/x": No space left on device (28)')).toMatchObject({ code: 'DISK_FULL', retry: 'no-retry' });
    expect(map(12, '/usr/bin/rrsync error: reading from write-only server is not allowed')).toMatchObject({ code: 'REMOTE_ERROR', retry: 'no-retry' });
    expect(map(1, 'rsync: --bogus: unknown option')).toMatchObject({ code: 'PROCESS_FAILED', retry: 'no-retry' });
  });

  it('names the exit code in words', () => {
    expect(map(23, 'some error').message).toMatch(/rsync exit 23 \(partial transfer due to error\)/);
    expect(map(null, '', 'SIGTERM').message).toMatch(/killed by SIGTERM/);
  });
});
