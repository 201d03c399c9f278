import type { PluginContext } from '@ferry/plugin-sdk';
import type { SftpOptions } from '../sftp.options';
import type { DestinationBackend } from './destination-backend';
import { EmbeddedBackend } from './embedded.backend';
import type { GrantStore } from './grant.store';
import { OpensshBackend } from './openssh.backend';

/** The backend the options name; the one place backends are wired in. */
export function createDestinationBackend(ctx: PluginContext<SftpOptions>, grants: GrantStore): DestinationBackend {
  switch (ctx.options.backend) {
    case 'embedded':
      return new EmbeddedBackend(
        {
          host: ctx.options.embeddedServer.host,
          port: ctx.options.embeddedServer.port,
          advertiseHost: ctx.options.embeddedServer.advertiseHost,
          windowBytes: ctx.options.embeddedServer.windowBytes,
          dataDir: ctx.gateway.dataDir,
        },
        grants,
        ctx.logger,
      );
    case 'openssh': {
      // the options schema refuses backend 'openssh' without these; this guards hand-built options
      if (!ctx.options.openssh) throw new Error("backend 'openssh' needs the openssh options");
      return new OpensshBackend({
        options: ctx.options.openssh,
        dataDir: ctx.gateway.dataDir,
        transfers: ctx.transfers,
        clock: ctx.clock,
        logger: ctx.logger,
      });
    }
  }
}
