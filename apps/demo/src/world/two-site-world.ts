import * as path from 'node:path';
import type { GatewayConfigFile, SeedFile } from './config-files.types';

export const DEMO_AGREEMENT = 'DEMO-AGREEMENT';
/** The stream-tunnel access points of the world: applications connect at A, B reaches the target. */
export const TUNNEL_ACCESS_POINTS = { initiator: 'a-lan', listener: 'b-lan' } as const;

export interface TwoSiteWorldOptions {
  /** folder that will hold site-a/ and site-b/ (drives and gateway state) */
  rootDir: string;
  coreUrl: string;
  /** the core's Ed25519 key file; gateways pin its public half from here */
  coreKeyFile: string;
  ports: { gatewayA: number; gatewayB: number; sftpA: number; sftpB: number };
  /** clear API tokens per user; stored hashed by the core */
  tokens: { alice: string; bob: string; [user: string]: string };
  /** PostgreSQL for the gateways' own state instead of embedded PGlite */
  gatewayDatabaseUrls?: { a?: string | null; b?: string | null };
  progressIntervalMs?: number;
  /**
   * Stream tunnels: A's access point a-lan takes listen ports from `portRange` on 127.0.0.1; B's
   * b-lan allows any target on 127.0.0.1 and its TLS data port is `dataPort` (fixed, so a restarted
   * gateway comes back where peers expect it). Without it the gateways have no tunnel plugin.
   */
  tunnel?: { portRange: string; dataPort: number };
}

export interface TwoSiteWorld {
  seed: SeedFile;
  gateways: { a: GatewayConfigFile; b: GatewayConfigFile };
  /** host folders behind each core drive id */
  driveDirs: Record<'a-data' | 'b-inbox', string>;
  siteDirs: { a: string; b: string };
}

/**
 * The demo's world, also the e2e suite's: provider A holds drive a-data (alice READ+WRITE, bob READ),
 * provider B holds b-inbox (alice READ+WRITE). A's policy lets data go to B under DEMO-AGREEMENT;
 * B has no outgoing agreement with A, so B -> A is rejected (to show a rejection).
 * Both gateways run the sftp plugin with its embedded SSH server on a fixed port, so a restarted
 * gateway comes back where the peer expects it. With `tunnel`, both also run the stream-tunnel
 * plugin: tunnels start at A's access point a-lan and end at B's b-lan (any target on 127.0.0.1);
 * the same agreement covers them (A -> B only).
 */
export function twoSiteWorld(o: TwoSiteWorldOptions): TwoSiteWorld {
  const siteDirs = { a: path.join(o.rootDir, 'site-a'), b: path.join(o.rootDir, 'site-b') };
  const driveDirs = { 'a-data': path.join(siteDirs.a, 'data'), 'b-inbox': path.join(siteDirs.b, 'inbox') };
  const users = Object.keys(o.tokens);
  const gateway = (
    id: string,
    name: string,
    dir: string,
    port: number,
    sftpPort: number,
    drive: { id: string; path: string },
    tunnelOptions: Record<string, unknown> | null,
    outgoing: GatewayConfigFile['policy']['outgoing'],
    incoming: GatewayConfigFile['policy']['incoming'],
    databaseUrl: string | null,
  ): GatewayConfigFile => ({
    id,
    name,
    listen: { host: '127.0.0.1', port },
    core: { url: o.coreUrl, signPublicKeyFile: o.coreKeyFile },
    stateDir: path.join(dir, 'state'),
    databaseUrl,
    drives: [{ ...drive, attributes: {} }],
    identities: users.map((u) => ({ name: u, account: u, attributes: {} })),
    policy: { outgoing, incoming, deny: [] },
    plugins: [
      {
        package: '@ferry/plugin-sftp',
        options: { embeddedServer: { host: '127.0.0.1', port: sftpPort, advertiseHost: '127.0.0.1' } },
      },
      ...(tunnelOptions ? [{ package: '@ferry/plugin-stream-tunnel', options: tunnelOptions }] : []),
    ],
    progressIntervalMs: o.progressIntervalMs ?? 250,
    signatureWindowSeconds: 60,
  });
  const a = gateway(
    'provider-a',
    'Provider A',
    siteDirs.a,
    o.ports.gatewayA,
    o.ports.sftpA,
    { id: 'data', path: driveDirs['a-data'] },
    o.tunnel ? { accessPoints: [{ id: TUNNEL_ACCESS_POINTS.initiator, bindHost: '127.0.0.1', portRange: o.tunnel.portRange }] } : null,
    [{ peer: 'provider-b', agreement: DEMO_AGREEMENT }],
    [],
    o.gatewayDatabaseUrls?.a ?? null,
  );
  const b = gateway(
    'provider-b',
    'Provider B',
    siteDirs.b,
    o.ports.gatewayB,
    o.ports.sftpB,
    { id: 'inbox', path: driveDirs['b-inbox'] },
    o.tunnel
      ? {
          accessPoints: [{ id: TUNNEL_ACCESS_POINTS.listener, targets: ['127.0.0.1:*'] }],
          dataPort: { host: '127.0.0.1', port: o.tunnel.dataPort },
        }
      : null,
    [], // no agreement covers B -> A: the demo's rejection
    [{ peer: 'provider-a', agreement: DEMO_AGREEMENT }],
    o.gatewayDatabaseUrls?.b ?? null,
  );
  const seed: SeedFile = {
    users: users.map((u) => ({ name: u, admin: false, tokens: [o.tokens[u]] })),
    projects: [{ name: 'climate', members: ['alice', 'bob'] }],
    providers: [
      { id: 'provider-a', name: 'Provider A', url: `http://127.0.0.1:${o.ports.gatewayA}` },
      { id: 'provider-b', name: 'Provider B', url: `http://127.0.0.1:${o.ports.gatewayB}` },
    ],
    drives: [
      {
        id: 'a-data',
        name: 'A data',
        provider: 'provider-a',
        gatewayDrive: 'data',
        acl: [
          { user: 'alice', permissions: ['READ', 'WRITE'] },
          { user: 'bob', permissions: ['READ'] },
        ],
      },
      {
        id: 'b-inbox',
        name: 'B inbox',
        provider: 'provider-b',
        gatewayDrive: 'inbox',
        acl: [{ user: 'alice', permissions: ['READ', 'WRITE'] }],
      },
    ],
    identityMappings: [
      { user: 'alice', provider: 'provider-a', identity: 'alice' },
      { user: 'alice', provider: 'provider-b', identity: 'alice' },
      { user: 'bob', provider: 'provider-a', identity: 'bob' },
      { user: 'bob', provider: 'provider-b', identity: 'bob' },
    ],
  };
  return { seed, gateways: { a, b }, driveDirs, siteDirs };
}
