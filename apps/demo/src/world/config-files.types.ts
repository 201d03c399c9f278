/**
 * The shapes of the core's seed file and a gateway's config file, as fixed in the project's shared
 * configuration contract (docs/operator-guide.md). The demo and the e2e harness write these files;
 * the core and the gateway validate them on start-up.
 */
export type Permission = 'READ' | 'WRITE' | 'ADMIN';

export interface SeedFile {
  users: Array<{ name: string; admin: boolean; tokens: string[] }>;
  projects: Array<{ name: string; members: string[] }>;
  providers: Array<{ id: string; name: string; url: string; signPublicKey?: string; boxPublicKey?: string }>;
  drives: Array<{
    id: string;
    name: string;
    provider: string;
    gatewayDrive: string;
    acl: Array<{ user?: string; project?: string; permissions: Permission[] }>;
  }>;
  identityMappings: Array<{ user: string; provider: string; identity: string }>;
}

export interface PolicyRule {
  peer: string;
  agreement: string;
}

export interface GatewayConfigFile {
  id: string;
  name: string;
  listen: { host: string; port: number };
  core: { url: string; signPublicKey?: string; signPublicKeyFile?: string };
  stateDir: string;
  databaseUrl: string | null;
  drives: Array<{ id: string; path: string; attributes: Record<string, unknown> }>;
  identities: Array<{ name: string; account: string; attributes: Record<string, unknown> }>;
  policy: { outgoing: PolicyRule[]; incoming: PolicyRule[]; deny: unknown[] };
  plugins: Array<{ package: string; options: Record<string, unknown> }>;
  progressIntervalMs: number;
  signatureWindowSeconds: number;
}
