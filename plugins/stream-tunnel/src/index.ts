import { definePlugin } from '@ferry/plugin-sdk';
import { StreamTunnelOptions, streamTunnelOptionsSchema } from './options.schema';
import { StreamTunnelPlugin } from './stream-tunnel.plugin';

/** Stream tunnels: TCP applications across sites, through firewalls, without inbound ports on application hosts. */
export const plugin = definePlugin<StreamTunnelOptions>({
  id: 'stream-tunnel',
  version: '0.1.0',
  description: 'TCP stream tunnels between access points at two sites (per-connection TLS legs, pinned certificate, HMAC challenge)',
  optionsSchema: streamTunnelOptionsSchema,
  create: (ctx) => new StreamTunnelPlugin(ctx),
});
export default plugin;

export { StreamTunnelPlugin } from './stream-tunnel.plugin';
export { streamTunnelOptionsSchema } from './options.schema';
export type { StreamTunnelOptions, AccessPointOptions } from './options.schema';
export { challengeAnswer, deriveLanSecret, decodeTunnelSecret } from './tunnel-secret.util';
export { certFingerprint } from './tls-cert.util';
