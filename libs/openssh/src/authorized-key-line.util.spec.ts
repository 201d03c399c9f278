import { buildFerryKeyLine, formatExpiryTime, parseExpiryTime, parseFerryKeyLine, quoteOptionValue } from './authorized-key-line.util';
import { rrsyncCommand, sftpCommand, shellQuote } from './forced-command.util';
import { generateEd25519KeyPair } from './ssh-key.util';

describe('authorized_keys lines', () => {
  const key = generateEd25519KeyPair('comment-that-is-dropped');

  it('formats expiry-time as YYYYMMDDHHMMSSZ in UTC and reads it back', () => {
    const d = new Date('2026-03-04T05:06:07.890Z');
    expect(formatExpiryTime(d)).toBe('20260304050607Z');
    expect(parseExpiryTime('20260304050607Z')?.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(parseExpiryTime('202603040506Z')?.toISOString()).toBe('2026-03-04T05:06:00.000Z');
    expect(parseExpiryTime('20260304')).toBeNull(); // local time: we never write it, never trust it
  });

  it('builds a restricted, expiring, forced-command line with the ferry marker', () => {
    const l = buildFerryKeyLine({
      transferId: 'tr-1',
      publicKey: key.publicKey,
      command: rrsyncCommand({ rrsyncPath: '/usr/bin/rrsync', dir: '/data/in' }),
      expiresAt: new Date('2030-01-02T03:04:05Z'),
      from: ['192.0.2.7', '10.0.0.0/8'],
    });
    expect(l.line).toBe(
      `restrict,expiry-time="20300102030405Z",from="192.0.2.7,10.0.0.0/8",command="'/usr/bin/rrsync' -wo -no-del -no-lock '/data/in'" ` +
        `${key.publicKey.split(' ').slice(0, 2).join(' ')} ferry:tr-1:2030-01-02T03:04:05.000Z`,
    );
    const back = parseFerryKeyLine(l.line)!;
    expect(back.transferId).toBe('tr-1');
    expect(back.expiresAt.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(back.publicKey).toBe(key.publicKey.split(' ').slice(0, 2).join(' '));
  });

  it('quotes awkward destination folders for the shell and for sshd', () => {
    const cmd = rrsyncCommand({ rrsyncPath: '/usr/bin/rrsync', dir: `/data/it's "quoted" $(x)` });
    expect(cmd).toBe(`'/usr/bin/rrsync' -wo -no-del -no-lock '/data/it'\\''s "quoted" $(x)'`);
    expect(quoteOptionValue(cmd)).toBe(`"'/usr/bin/rrsync' -wo -no-del -no-lock '/data/it'\\''s \\"quoted\\" $(x)'"`);
    expect(() => quoteOptionValue('a\nb')).toThrow(/line breaks/);
    expect(() => quoteOptionValue('a\\')).toThrow(/backslash/);
    expect(shellQuote('plain')).toBe(`'plain'`);
  });

  it('refuses unsafe input rather than writing a line sshd would read differently', () => {
    const base = { transferId: 't', publicKey: key.publicKey, command: 'true', expiresAt: new Date('2030-01-01Z') };
    expect(() => buildFerryKeyLine({ ...base, transferId: '../x' })).toThrow(/transfer id/);
    expect(() => buildFerryKeyLine({ ...base, transferId: 'a b' })).toThrow(/transfer id/);
    expect(() => buildFerryKeyLine({ ...base, from: ['1.2.3.4",command="sh'] })).toThrow(/address pattern/);
    expect(() => buildFerryKeyLine({ ...base, publicKey: 'ssh-ed25519 AAAA' })).toThrow();
    expect(() => buildFerryKeyLine({ ...base, command: ' ' })).toThrow(/forced command/);
    expect(() => rrsyncCommand({ rrsyncPath: 'rrsync', dir: '/x' })).toThrow(/absolute/);
  });

  it('ignores lines that are not ferry lines', () => {
    expect(parseFerryKeyLine(key.publicKey)).toBeNull();
    expect(parseFerryKeyLine('# ferry:t:2030-01-01T00:00:00Z')).toBeNull();
    expect(parseFerryKeyLine('')).toBeNull();
  });

  it('builds sftp forced commands for both OpenSSH server flavours', () => {
    expect(sftpCommand({ server: 'internal', startDir: '/data/in%' })).toBe('internal-sftp -d /data/in%%');
    expect(sftpCommand({ server: { sftpServerPath: '/usr/lib/openssh/sftp-server' }, readOnly: true, umask: '022' })).toBe(
      `'/usr/lib/openssh/sftp-server' -R -u 022`,
    );
    expect(() => sftpCommand({ server: 'internal', startDir: '/data/my folder' })).toThrow(/spaces/);
  });
});
