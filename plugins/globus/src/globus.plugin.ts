import { definePlugin } from '@ferry/plugin-sdk';
import { GlobusMechanism } from './globus.mechanism';
import { globusOptionsSchema, type GlobusOptions } from './globus-options.schema';

export const globusPlugin = definePlugin<GlobusOptions>({
  id: 'globus',
  version: '0.1.0',
  description: 'Globus transfers between guest collections: ACL grant at the destination, one poller per gateway',
  optionsSchema: globusOptionsSchema,
  create: (ctx) => new GlobusMechanism(ctx),
});
