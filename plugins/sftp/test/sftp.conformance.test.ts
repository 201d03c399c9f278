import { runConformanceSuite } from '@ferry/plugin-sdk/testing';
import plugin from '@ferry/plugin-sftp';
import { probeGrant } from './probe-grant.util';

// The kit drives two real plugin instances (source and destination gateway) over a real SSH
// connection on 127.0.0.1: the destination's embedded server, the source's ssh2 client.
runConformanceSuite({
  definition: plugin,
  options: () => ({ embeddedServer: { host: '127.0.0.1', port: 0 } }),
  probeGrant: (forPeer, _state, ctx) => probeGrant(forPeer, ctx.transferId, ctx.sourceSecrets),
});
