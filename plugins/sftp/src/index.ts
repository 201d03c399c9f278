import { definePlugin } from '@ferry/plugin-sdk';
import { SftpPlugin } from './sftp.plugin';
import { sftpOptionsSchema, type SftpOptions } from './sftp.options';

/** Mechanism 'sftp': ephemeral key per transfer, one-time grant on the destination's SSH server. */
const plugin = definePlugin<SftpOptions>({
  id: 'sftp',
  version: '0.1.0',
  description: 'SFTP upload from the source gateway into a per-transfer grant on the destination (embedded SSH server)',
  optionsSchema: sftpOptionsSchema,
  create: (ctx) => new SftpPlugin(ctx),
});

export default plugin;
export { plugin };
export { SftpPlugin } from './sftp.plugin';
export { sftpOptionsSchema, type SftpOptions } from './sftp.options';
export type { DestinationBackend, BackendEndpoint } from './destination/destination-backend';
export type { Grant } from './destination/grant';
export { fingerprintOfBlob } from './keys/ssh-key.util';
export { secretNames } from './secret-names';
