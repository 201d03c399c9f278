import type { Role } from '@ferry/plugin-sdk/testing';
import type { RunningSshd } from '../../../test/setup/sshd-server';

/**
 * Plugin options for a pair whose destination serves SFTP through the fixture's real sshd (the
 * 'openssh' backend); the source side keeps the defaults (sending needs no backend settings).
 */
export function opensshOptions(sshd: RunningSshd, extra: Record<string, unknown> = {}): (role: Role) => unknown {
  return (role) =>
    role === 'source'
      ? { embeddedServer: { host: '127.0.0.1', port: 0 } }
      : {
          backend: 'openssh',
          openssh: {
            authorizedKeysDir: sshd.authorizedKeysDir,
            host: sshd.host,
            port: sshd.port,
            hostPublicKeyFile: sshd.hostPublicKeyFile,
            hostKeyFingerprint: sshd.hostKeyFingerprint,
            ...extra,
          },
        };
}

/** The pair's layout for sshd: under the fixture's root-owned folder, destination folders owned by the account. */
export function opensshPairSetup(sshd: RunningSshd) {
  return { baseDir: sshd.root, account: { name: sshd.account, uid: sshd.uid, gid: sshd.gid } };
}

/** ferry lines of the account's authorized-keys file that belong to this transfer (the fixture's helper) */
export { transferKeyLines as keyLines } from '../../../test/setup/sshd-server';
