import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { CoreModule } from '../app.module';
import { CoreConfig, describeConfig } from '../config/core-config';
import { loadCoreKeys } from '../config/core-keys';
import { inputGuard } from '../common/input-guard.middleware';
import { sendError } from '../errors/domain-exception.filter';
import { createCoreLogger } from '../logging/core-logger.factory';
import { reenterRequestContext, requestContextMiddleware } from '../logging/http-context.middleware';
import type { LogWriter } from '../logging/json-logger';
import { CoreMetrics } from '../metrics/core-metrics.service';
import { SeedService } from '../seed/seed.service';
import { serveWebApp } from '../web/web-static';
import { setupOpenApi } from './openapi.setup';

/** Where gateways' signed calls to the core live (progress reports). */
const GATEWAY_API_PATH = '/api/gateway';

export interface CoreAppOptions {
  /** FERRY_LOG_FORMAT=json only: where log lines go instead of stdout (tests capture them) */
  logWriter?: LogWriter;
}

/**
 * Builds the core for one configuration, ready to listen: database connected and migrated, seed
 * applied, request ids, body limit, OpenAPI at /api/docs, the web app at /. Tests start it in-process
 * with their own config; main.ts starts it from the environment.
 */
export async function createCoreApp(config: CoreConfig, options: CoreAppOptions = {}): Promise<NestExpressApplication> {
  const keys = await loadCoreKeys(config.coreKeyFile);
  const app = await NestFactory.create<NestExpressApplication>(CoreModule.forRoot(config, keys), {
    bodyParser: false,
    abortOnError: false,
    forceCloseConnections: true,
    logger: createCoreLogger(config, options.logWriter),
  });
  const logger = new Logger('Core');
  app.disable('x-powered-by');
  // first: request id, request context, access log and HTTP metrics for every request (413s included)
  app.use(requestContextMiddleware(app.get(CoreMetrics)));
  // JSON only, with the raw bytes kept for verifying gateways' request signatures. Gateways' calls
  // get their own limit: a source's completion report carries the manifest of every file it sent
  // (~100 bytes a file with checksums), far more than any researcher's request. The first parser
  // that reads a body marks it read, so the general one skips those.
  const keepRawBody = (req: Request & { rawBody?: Buffer }, _res: Response, buf: Buffer) => {
    req.rawBody = buf;
  };
  app.use(GATEWAY_API_PATH, express.json({ limit: config.maxGatewayBodyBytes, verify: keepRawBody }));
  app.use(express.json({ limit: config.maxBodyBytes, verify: keepRawBody }));
  // body-parser errors (413, bad JSON) never reach Nest's filters: answer them the same way here
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => sendError(res, req, err, logger));
  app.use(reenterRequestContext);
  app.use(inputGuard(logger));
  setupOpenApi(app);
  serveWebApp(app, config.webDir);
  app.enableShutdownHooks();
  await app.init();
  await app.get(SeedService).applyConfigured();
  logger.log(`configuration ${JSON.stringify(describeConfig(config))}`);
  return app;
}
