import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PluginContext, TransferDirectory } from '@ferry/plugin-sdk';
import { GATEWAY_CONFIG, type GatewayConfig, type LoadedPlugin } from '../config/gateway-config';
import { TransferRuntime } from '../runtime/transfer-runtime.service';
import { FileSecretStore, encodeSecretName } from './file-secret-store';
import { GuardedPlugin } from './guarded-plugin';
import { PluginLoggerAdapter } from './plugin-logger.adapter';
import { PluginMetrics } from './plugin-metrics';
import { GatewayMetrics } from '../operations/gateway-metrics.service';

/**
 * Creates every configured plugin with its narrow context, wraps it in a GuardedPlugin, starts
 * them at boot (in config order) and stops them at shutdown (after running transfers were told
 * to stop). The rest of the gateway reaches plugins only through `get()`.
 */
@Injectable()
export class PluginHost implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(PluginHost.name);
  private readonly plugins = new Map<string, GuardedPlugin>();
  private readonly stores = new Map<string, FileSecretStore>();
  private started: GuardedPlugin[] = [];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly runtime: TransferRuntime,
    private readonly metrics: PluginMetrics,
    private readonly gatewayMetrics: GatewayMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const loaded of this.config.plugins) {
      const guarded = await this.create(loaded);
      this.plugins.set(loaded.id, guarded);
    }
    for (const p of this.plugins.values()) {
      await p.start();
      this.started.push(p);
      this.logger.log(`mechanism '${p.id}' started`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.shutdown();
    for (const p of this.started.reverse()) {
      try {
        await p.stop();
      } catch (e) {
        this.logger.error(`mechanism '${p.id}' did not stop cleanly: ${(e as Error).message}`);
      }
    }
    this.started = [];
  }

  /** Mechanism ids in order of preference (config order). */
  ids(): string[] {
    return this.config.plugins.map((p) => p.id);
  }

  get(mechanism: string): GuardedPlugin | undefined {
    return this.plugins.get(mechanism);
  }

  /**
   * Removes the secrets a plugin keeps for one transfer: every name that has the transfer id as a
   * whole segment between separators other than letters, digits, '-' and '_' (e.g. `<id>/grant`,
   * `sftp.<id>.ssh-key`).
   */
  async deleteTransferSecrets(mechanism: string, transferId: string): Promise<void> {
    const store = this.stores.get(mechanism);
    if (!store) return;
    for (const name of await store.list('')) {
      if (name.split(/[^A-Za-z0-9_-]+/).includes(transferId)) await store.delete(name);
    }
  }

  private async create(loaded: LoadedPlugin): Promise<GuardedPlugin> {
    const dataDir = path.join(this.config.stateDir, 'plugins', encodeSecretName(loaded.id));
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.chmod(dataDir, 0o700);
    const secretsDir = path.join(this.config.stateDir, 'secrets', encodeSecretName(loaded.id));
    await fs.mkdir(secretsDir, { recursive: true, mode: 0o700 });
    const secrets = new FileSecretStore(secretsDir);
    this.stores.set(loaded.id, secrets);
    const transfers: TransferDirectory = {
      get: (id) => this.runtime.handleById(loaded.id, id),
      active: () => this.runtime.activeHandles(loaded.id),
    };
    const logger = new PluginLoggerAdapter(loaded.id);
    const ctx: PluginContext<unknown> = {
      options: loaded.options,
      logger,
      secrets,
      clock: { now: () => new Date() },
      gateway: { providerId: this.config.id, name: this.config.name, dataDir },
      transfers,
      metrics: this.gatewayMetrics.pluginSink(loaded.id, (m) => logger.warn(m)),
    };
    const plugin = loaded.definition.create(ctx);
    if (plugin.id !== loaded.id) {
      throw new Error(`plugin package ${loaded.packageName} created mechanism '${plugin.id}' but its definition says '${loaded.id}'`);
    }
    return new GuardedPlugin(plugin, this.config, this.metrics);
  }
}
