import type { PluginDefinition } from '@ferry/plugin-sdk';
import type { ParsedGatewayConfig } from './gateway-config.schema';

/** A drive as the gateway uses it: `root` is the real (symlink-free) absolute folder, or '' for plugin drives. */
export interface DriveConfig {
  id: string;
  root: string;
  /** true when `root` is a local folder the gateway can list and confine paths to */
  local: boolean;
  plugin: string | null;
  attributes: Record<string, unknown>;
}

export interface IdentityConfig {
  name: string;
  account: string;
  attributes: Record<string, unknown>;
}

/** A plugin package that loaded and whose options its own schema accepted. */
export interface LoadedPlugin {
  /** mechanism id (the definition's id) */
  id: string;
  packageName: string;
  definition: PluginDefinition<unknown>;
  /** options as returned by definition.optionsSchema.parse */
  options: unknown;
}

/** The validated, resolved configuration every part of the gateway reads (never the raw JSON). */
export interface GatewayConfig
  extends Omit<ParsedGatewayConfig, 'core' | 'drives' | 'identities' | 'plugins' | 'stateDir'> {
  /** the file it came from, for messages; null when given as an object */
  source: string;
  core: { url: string; signPublicKey: string };
  /** absolute */
  stateDir: string;
  drives: DriveConfig[];
  identities: IdentityConfig[];
  /** in config order, which is the order of mechanism preference */
  plugins: LoadedPlugin[];
}

export class GatewayConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid gateway configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'GatewayConfigError';
  }
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
