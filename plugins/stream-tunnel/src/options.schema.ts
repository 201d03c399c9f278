import { z } from 'zod';
import { parsePortRange } from './port-range.util';
import { parseTargetPattern } from './target-pattern.util';

/**
 * Gateway-config options of the stream-tunnel plugin, validated once when the gateway starts.
 * An access point is a named place where tunnels end at this site: on the initiator side (role
 * source) local applications connect to bindHost:<port from portRange>; on the listener side (role
 * destination) the gateway connects to a target that must match one of `targets`.
 */
const accessPointSchema = z
  .object({
    id: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'access point ids use letters, digits, ".", "_" and "-"'),
    /** the address local applications reach (initiator side); 127.0.0.1 keeps it on the host */
    bindHost: z.string().min(1).default('127.0.0.1'),
    /** initiator side: "40000-40099", one port per running tunnel is taken from here (omit on listener-only access points) */
    portRange: z
      .string()
      .refine((s) => safe(() => parsePortRange(s)), 'portRange must look like "40000-40099" (1-65535, low <= high)')
      .optional(),
    /** local applications must first send one line with the tunnel's LAN secret (initiator side) */
    lanSecret: z.boolean().default(false),
    /** allowed targets for the listener side: "host:port", "host:*", "host:5000-5100", "*:port"; IPv6 as "[::1]:5432" */
    targets: z
      .array(z.string().refine((s) => safe(() => parseTargetPattern(s)), 'targets look like "10.0.0.5:5432", "127.0.0.1:*" or "[::1]:80"'))
      .default([]),
  })
  .strict();

export const streamTunnelOptionsSchema = z
  .object({
    accessPoints: z.array(accessPointSchema).default([]),
    /** the listener side's one TLS data port that initiator gateways dial (omit on initiator-only gateways) */
    dataPort: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        /** use a fixed port in production: it is given to peers and must survive restarts */
        port: z.number().int().min(0).max(65535),
        /** the host name or address peers dial; defaults to host */
        advertiseHost: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    maxConnectionsPerTunnel: z.number().int().min(1).max(100_000).default(1024),
    /** an application connection with no traffic either way for this long is closed; 0 = never */
    idleTimeoutSeconds: z.number().int().min(0).default(3600),
    /** how long a peer gateway may take for the TLS + challenge handshake */
    handshakeTimeoutSeconds: z.number().int().min(1).default(15),
  })
  .strict()
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    for (const ap of o.accessPoints) {
      if (seen.has(ap.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `duplicate access point id '${ap.id}'`, path: ['accessPoints'] });
      seen.add(ap.id);
    }
  });

export type StreamTunnelOptions = z.infer<typeof streamTunnelOptionsSchema>;
export type AccessPointOptions = StreamTunnelOptions['accessPoints'][number];

function safe(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}
