import type { PluginLogger, TransferDirectory } from '@ferry/plugin-sdk';
import type { GlobusOptions } from './globus-options.schema';
import type { ManifestStore } from './manifest.store';
import type { GlobusTaskPoller } from './task.poller';
import type { TransferApiClient } from './transfer-api.client';

/** What the source and destination sides share inside one plugin instance. */
export interface GlobusDeps {
  options: GlobusOptions;
  client: TransferApiClient;
  poller: GlobusTaskPoller;
  manifests: ManifestStore;
  log: PluginLogger;
  transfers: TransferDirectory;
}
