import { definePlugin } from '@ferry/plugin-sdk';
import { RsyncPlugin } from './rsync.plugin';
import { rsyncOptionsSchema, type RsyncOptions } from './rsync.options';

/**
 * '@ferry/plugin-rsync': rsync over the sites' own OpenSSH, keys forced to rrsync.
 * Gateway config: {"package":"@ferry/plugin-rsync","options":{...}} (see rsync.options.ts and
 * docs/operator-guide-openssh.md).
 */
export const plugin = definePlugin<RsyncOptions>({
  id: 'rsync',
  version: '0.1.0',
  description: "rsync over SSH into the destination site's own sshd (keys forced to rrsync, write-only, expiring)",
  optionsSchema: rsyncOptionsSchema,
  create: (ctx) => new RsyncPlugin(ctx),
});

export default plugin;
export { RsyncPlugin } from './rsync.plugin';
export { rsyncOptionsSchema, type RsyncOptions } from './rsync.options';
export { secretNames as rsyncSecretNames } from './secret-names';
export { parseDestinationPeer, parseSourcePublicParams, type DestinationPeer, type SourcePublicParams } from './peer-params';
export { parseProgress2, parseStats, type Progress2, type RsyncStats } from './source/rsync-output.parser';
export { mapRsyncExit } from './source/rsync-exit.mapper';
