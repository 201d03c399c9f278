/**
 * The narrow context a plugin gets: its validated options, a logger, a secret store, a clock and a
 * few facts about its gateway. Never the Nest container.
 */
export interface PluginContext<O = unknown> {
  readonly options: O;
  readonly logger: PluginLogger;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly gateway: GatewayInfo;
  /**
   * Transfers of this mechanism that are prepared or running at this gateway (not ended), as
   * handles; e.g. the embedded SSH server looks up grants here, a poller follows its tasks.
   */
  readonly transfers: TransferDirectory;
}

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Secrets (private keys, grant tokens) live here, never in plugin state or logs. The gateway's
 * implementation writes one file per secret, mode 0600, in a 0700 folder.
 */
export interface SecretStore {
  put(name: string, value: string): Promise<void>;
  /** undefined when absent */
  get(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  /** names with this prefix */
  list(prefix: string): Promise<string[]>;
}

export interface Clock {
  now(): Date;
}

export interface GatewayInfo {
  providerId: string;
  name: string;
  /** a folder that belongs to this plugin alone, created 0700 */
  dataDir: string;
}

export interface TransferDirectory {
  get(transferId: string): Promise<import('./plugin.contract').TransferHandle | undefined>;
  active(): Promise<Array<import('./plugin.contract').TransferHandle>>;
}
