import { buildRsyncArgs, rsyncEscape } from './rsync-args.util';

describe('rsync command line', () => {
  const peer = { host: '127.0.0.1', port: 2222, user: 'alice', hostPublicKey: 'ssh-ed25519 AAAA', hostKeyFingerprint: 'SHA256:x' };
  const files = { dir: '/s/run', identityFile: "/s/it's run/id_ed25519", knownHostsFile: '/s/run/known_hosts', remove: async () => undefined };
  const base = { source: '/data/project', contents: false, peer, files, sshPath: 'ssh', checksum: false, ioTimeoutSeconds: 120 };

  it('quotes every ssh argument for rsync’s own -e splitter (doubled quote = literal quote)', () => {
    expect(rsyncEscape("it's")).toBe("'it''s'");
    const args = buildRsyncArgs(base);
    const e = args[args.indexOf('-e') + 1];
    expect(e).toContain("'-i' '/s/it''s run/id_ed25519'");
    expect(e).toContain("'-o' 'StrictHostKeyChecking=yes'");
    expect(e).toContain("'-o' 'UserKnownHostsFile=/s/run/known_hosts'");
    expect(e).toContain("'-o' 'IdentitiesOnly=yes'");
    expect(e).toContain("'-p' '2222'");
  });

  it('copies the item into the folder, or a drive root’s contents; the remote path is rrsync’s folder', () => {
    expect(buildRsyncArgs(base).slice(-3)).toEqual(['--', '/data/project', 'alice@127.0.0.1:']);
    expect(buildRsyncArgs({ ...base, source: '/data/root', contents: true }).slice(-2)).toEqual(['/data/root/', 'alice@127.0.0.1:']);
    expect(buildRsyncArgs({ ...base, peer: { ...peer, host: '::1' } }).slice(-1)).toEqual(['alice@[::1]:']);
  });

  it('asks for partial files, progress2, the itemized file list, stats, and checksums only when verify = checksum', () => {
    const plain = buildRsyncArgs(base);
    expect(plain).toEqual(
      expect.arrayContaining(['-a', '--partial', '--info=progress2,name2', '--out-format=%i %l %n', '--stats', '--no-human-readable', '--timeout=120']),
    );
    expect(plain).not.toContain('--checksum');
    expect(buildRsyncArgs({ ...base, checksum: true, bwlimitKiBps: 100 })).toEqual(expect.arrayContaining(['--checksum', '--bwlimit=100']));
    const dry = buildRsyncArgs({ ...base, dryRun: true });
    expect(dry).toContain('--dry-run');
    expect(dry).not.toContain('--info=progress2,name2');
    expect(dry.some((a) => a.startsWith('--out-format'))).toBe(false);
  });
});
