import { rsyncOptionsSchema } from './rsync.options';

describe('rsync options', () => {
  it('has defaults that need nothing for a sending-only site', () => {
    const o = rsyncOptionsSchema.parse({});
    expect(o).toMatchObject({ sshPort: 22, rrsyncPath: '/usr/bin/rrsync', keyLifetimeMinutes: 60, rsyncPath: 'rsync', maxAttempts: 5 });
    expect(o.authorizedKeysDir).toBeUndefined();
  });

  it('refuses a receiving site without a host key to pin, relative paths and unknown options', () => {
    expect(() => rsyncOptionsSchema.parse({ authorizedKeysDir: '/etc/ssh/ferry-keys' })).toThrow(/hostKeyFingerprint or hostPublicKeyFile/);
    expect(() => rsyncOptionsSchema.parse({ authorizedKeysDir: 'keys', hostKeyFingerprint: 'SHA256:x' })).toThrow(/absolute/);
    expect(() => rsyncOptionsSchema.parse({ sshPort: 70000 })).toThrow();
    expect(() => rsyncOptionsSchema.parse({ sshport: 22 })).toThrow(/Unrecognized key/);
    expect(rsyncOptionsSchema.parse({ authorizedKeysDir: '/etc/ssh/ferry-keys', hostPublicKeyFile: '/etc/ssh/ssh_host_ed25519_key.pub' }).authorizedKeysDir).toBe(
      '/etc/ssh/ferry-keys',
    );
  });
});
