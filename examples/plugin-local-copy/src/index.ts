import { definePlugin } from '@ferry/plugin-sdk';
import { LocalCopyPlugin } from './local-copy.plugin';
import { optionsSchema, type LocalCopyOptions } from './options';

/**
 * The package's entry: the gateway requires the package and takes its default export (or `plugin`),
 * validates the config entry's `options` with `optionsSchema`, then calls `create` with the context.
 */
const plugin = definePlugin<LocalCopyOptions>({
  id: 'local-copy',
  version: '0.1.0',
  description: 'Example: copies between two gateways that share a file system',
  optionsSchema,
  create: (ctx) => new LocalCopyPlugin(ctx),
});

export default plugin;
export { plugin };
export type { LocalCopyOptions };
