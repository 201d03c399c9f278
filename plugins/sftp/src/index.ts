import { definePlugin } from '@ferry/plugin-sdk';
import { SftpPlugin } from './sftp.plugin';
import { sftpOptionsSchema, type SftpOptions } from './sftp.options';

/** Mechanism 'sftp': ephemeral key per transfer, one-time grant on the destination's SSH server (embedded or OpenSSH). */
const plugin = definePlugin<SftpOptions>({
  id: 'sftp',
  version: '0.1.0',
  description: "SFTP upload from the source gateway into a per-transfer grant on the destination (its embedded SSH server, or the site's OpenSSH)",
  optionsSchema: sftpOptionsSchema,
  create: (ctx) => new SftpPlugin(ctx),
});

export default plugin;
export { plugin };
export { SftpPlugin } from './sftp.plugin';
export { sftpOptionsSchema, opensshBackendSchema, type SftpOptions, type OpensshBackendOptions } from './sftp.options';
export type { DestinationBackend, BackendEndpoint, GrantExtras } from './destination/destination-backend';
export { OpensshBackend } from './destination/openssh.backend';
export type { Grant } from './destination/grant';
export { fingerprintOfBlob } from './keys/ssh-key.util';
export { secretNames } from './secret-names';
