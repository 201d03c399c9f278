// Shared OpenSSH support for mechanisms that use a site's own sshd (rsync; sftp's openssh backend).
// See docs/operator-guide-openssh.md for the sshd_config lines these rely on.
export * from './openssh.error';
export * from './ssh-key.util';
export * from './authorized-key-line.util';
export * from './forced-command.util';
export * from './account.util';
export * from './account-access.util';
export * from './authorized-keys.manager';
export * from './host-key.util';
export * from './ssh-client.util';
export * from './session-process.util';
export * from './transfer-key.util';
export * from './key-sweeper';
