import type { PluginContext } from '@ferry/plugin-sdk';
import type { SftpOptions } from '../sftp.options';
import type { DestinationBackend } from './destination-backend';
import { EmbeddedBackend } from './embedded.backend';
import type { GrantStore } from './grant.store';

/** The backend the options name; the one place a new backend (e.g. 'openssh') is wired in. */
export function createDestinationBackend(ctx: PluginContext<SftpOptions>, grants: GrantStore): DestinationBackend {
  switch (ctx.options.backend) {
    case 'embedded':
      return new EmbeddedBackend(
        {
          host: ctx.options.embeddedServer.host,
          port: ctx.options.embeddedServer.port,
          advertiseHost: ctx.options.embeddedServer.advertiseHost,
          dataDir: ctx.gateway.dataDir,
        },
        grants,
        ctx.logger,
      );
  }
}
