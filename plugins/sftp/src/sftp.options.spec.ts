import { sftpOptionsSchema } from './sftp.options';

describe('sftp options', () => {
  it('fills the documented defaults', () => {
    expect(sftpOptionsSchema.parse({})).toEqual({
      embeddedServer: { host: '127.0.0.1', port: 0, windowBytes: 64 * 1024 * 1024 },
      backend: 'embedded',
      parallelFiles: 16,
      requestsInFlight: 64,
      chunkSize: 262144,
      grantLifetimeSeconds: 604800,
    });
  });

  it('accepts every-address listening with an advertised host', () => {
    expect(sftpOptionsSchema.parse({ embeddedServer: { host: '0.0.0.0', port: 2222, advertiseHost: 'sftp.example' } }).embeddedServer).toEqual({
      host: '0.0.0.0',
      port: 2222,
      advertiseHost: 'sftp.example',
      windowBytes: 64 * 1024 * 1024,
    });
  });

  it('takes an SSH channel window between 2 MiB and 1 GiB', () => {
    expect(sftpOptionsSchema.parse({ embeddedServer: { windowBytes: 2 * 1024 * 1024 } }).embeddedServer.windowBytes).toBe(2 * 1024 * 1024);
    expect(sftpOptionsSchema.parse({ embeddedServer: { windowBytes: 1024 ** 3 } }).embeddedServer.windowBytes).toBe(1024 ** 3);
  });

  it.each([
    [{ parallelFiles: 0 }],
    [{ chunkSize: 10 }],
    [{ embeddedServer: { port: 70000 } }],
    [{ embeddedServer: { windowBytes: 1024 * 1024 } }],
    [{ embeddedServer: { windowBytes: 2 * 1024 ** 3 } }],
    [{ embeddedServer: { windowBytes: 4.5 } }],
    [{ embeddedServer: { hots: '127.0.0.1' } }],
    [{ unknownOption: true }],
    [{ embeddedServer: { host: '0.0.0.0', port: 2222 } }],
  ])('refuses %j with a readable message', (raw) => {
    expect(() => sftpOptionsSchema.parse(raw)).toThrow();
  });

  describe('openssh backend', () => {
    const minimal = { authorizedKeysDir: '/etc/ssh/ferry-keys', hostPublicKeyFile: '/etc/ssh/ssh_host_ed25519_key.pub' };

    it('fills the documented defaults', () => {
      expect(sftpOptionsSchema.parse({ backend: 'openssh', openssh: minimal }).openssh).toEqual({
        ...minimal,
        host: '127.0.0.1',
        port: 22,
        sftpServerPath: '/usr/lib/openssh/sftp-server',
        envPath: '/usr/bin/env',
        keyLifetimeMinutes: 60,
        sweepIntervalMs: 60000,
      });
    });

    it('accepts a fingerprint alone and per-peer source addresses', () => {
      const o = sftpOptionsSchema.parse({
        backend: 'openssh',
        openssh: {
          authorizedKeysDir: '/etc/ssh/ferry-keys',
          hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
          peerAddresses: { 'provider-a': ['192.0.2.7', '198.51.100.0/24'] },
        },
      });
      expect(o.openssh?.peerAddresses).toEqual({ 'provider-a': ['192.0.2.7', '198.51.100.0/24'] });
    });

    it.each([
      [{ backend: 'openssh' }, /backend 'openssh' needs the openssh options/],
      [{ openssh: minimal }, /backend is 'embedded'/],
      [{ backend: 'openssh', openssh: { authorizedKeysDir: '/etc/ssh/ferry-keys' } }, /hostPublicKeyFile or hostKeyFingerprint/],
      [{ backend: 'openssh', openssh: { ...minimal, authorizedKeysDir: 'keys' } }, /authorizedKeysDir must be an absolute path/],
      [{ backend: 'openssh', openssh: { ...minimal, sftpServerPath: 'sftp-server' } }, /sftpServerPath must be an absolute path/],
      [{ backend: 'openssh', openssh: { ...minimal, hostKeyFingerprint: 'MD5:ab:cd' } }, /SHA256:<43 base64 characters>/],
      [{ backend: 'openssh', openssh: { ...minimal, host: '0.0.0.0' } }, /advertiseHost/],
      [{ backend: 'openssh', openssh: { ...minimal, keyLifetimeMinutes: 0 } }, /keyLifetimeMinutes/],
      [{ backend: 'openssh', openssh: { ...minimal, peerAddresses: { 'provider-a': ['a b'] } } }, /not an address pattern/],
      [{ backend: 'openssh', openssh: { ...minimal, sshPort: 22 } }, /Unrecognized key/],
      [{ backend: 'ftp' }, /embedded' \| 'openssh/],
    ])('refuses %j, saying why', (raw, why) => {
      expect(() => sftpOptionsSchema.parse(raw)).toThrow(why);
    });
  });
});
