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
  /**
   * Optional (gateways may not give one, test contexts usually do not): the plugin's own figures
   * for the gateway's Prometheus `/metrics`, e.g. a poller's rounds. Call it as `ctx.metrics?.…`.
   */
  readonly metrics?: PluginMetricsSink;
}

/**
 * Counters and gauges a plugin feeds; the gateway exposes each as `ferry_plugin_<name>` with the label
 * `mechanism="<plugin id>"`. Names are lower-case letters, digits and `_` (counters end in `_total`);
 * a bad name, or a name used both as counter and gauge, is logged once and ignored, never thrown.
 * No other labels, on purpose: per-transfer labels would make the series grow without bound.
 */
export interface PluginMetricsSink {
  /** Adds `by` (default 1, never negative) to the counter `name`. */
  increment(name: string, by?: number, help?: string): void;
  /** Sets the gauge `name` to `value`. */
  set(name: string, value: number, help?: string): void;
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
