import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway-config';
import type { RawGatewayConfig } from './config/gateway-config.schema';
import { loadGatewayConfig } from './config/load-gateway-config';
import { prepareStateDir } from './keys/gateway-keys';
import { GatewayModule } from './gateway.module';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export interface GatewayApp {
  app: INestApplication;
  config: GatewayConfig;
  /** http://host:port actually listened on (port 0 in the config picks a free one) */
  url: string;
  close(): Promise<void>;
}

export interface CreateGatewayOptions {
  /** folder that relative paths in a config *object* resolve against (default: cwd) */
  baseDir?: string;
  /** false: build the app without listening (tests that only need the module) */
  listen?: boolean;
  /** override the config's logLevel, e.g. ['error'] in tests */
  logger?: LogLevel[] | false;
}

/**
 * Builds and starts a gateway: validates the config (throws GatewayConfigError listing every
 * problem), prepares the state folder and keys, boots Nest (migrations, plugins, recovery) and
 * listens. Used by main.ts and by tests in-process.
 */
export async function createGatewayApp(
  input: string | RawGatewayConfig | GatewayConfig,
  options: CreateGatewayOptions = {},
): Promise<GatewayApp> {
  const config = isLoaded(input) ? input : loadGatewayConfig(input, options.baseDir);
  const keys = await prepareStateDir(config.stateDir);
  const logger = options.logger ?? LEVELS.slice(0, LEVELS.indexOf(config.logLevel === 'log' ? 'log' : config.logLevel) + 1);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config, keys), {
    bodyParser: false, // RawBodyMiddleware reads bodies (raw bytes for signatures, size limit)
    logger,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  let url = '';
  if (options.listen !== false) {
    await app.listen(config.listen.port, config.listen.host);
    const addr = app.getHttpServer().address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}`;
    new Logger('Gateway').log(`${config.id} listening on ${url} (mechanisms: ${config.plugins.map((p) => p.id).join(', ')})`);
  } else {
    await app.init();
  }
  return { app, config: app.get(GATEWAY_CONFIG), url, close: () => app.close() };
}

function isLoaded(x: unknown): x is GatewayConfig {
  return !!x && typeof x === 'object' && 'source' in x && Array.isArray((x as GatewayConfig).plugins) &&
    (x as GatewayConfig).plugins.every((p) => typeof p === 'object' && p !== null && 'definition' in p);
}
