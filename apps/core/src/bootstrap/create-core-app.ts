import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { CoreModule } from '../app.module';
import { CoreConfig, describeConfig, nestLogLevels } from '../config/core-config';
import { loadCoreKeys } from '../config/core-keys';
import { sendError } from '../errors/domain-exception.filter';
import { SeedService } from '../seed/seed.service';
import { serveWebApp } from '../web/web-static';
import { setupOpenApi } from './openapi.setup';

/**
 * Builds the core for one configuration, ready to listen: database connected and migrated, seed
 * applied, body limit, OpenAPI at /api/docs, the web app at /. Tests start it in-process with their
 * own config; main.ts starts it from the environment.
 */
export async function createCoreApp(config: CoreConfig): Promise<NestExpressApplication> {
  const keys = await loadCoreKeys(config.coreKeyFile);
  const app = await NestFactory.create<NestExpressApplication>(CoreModule.forRoot(config, keys), {
    bodyParser: false,
    abortOnError: false,
    forceCloseConnections: true,
    logger: nestLogLevels(config.logLevel),
  });
  const logger = new Logger('Core');
  app.disable('x-powered-by');
  // JSON only, with the raw bytes kept for verifying gateways' request signatures
  app.use(
    express.json({
      limit: config.maxBodyBytes,
      verify: (req: Request & { rawBody?: Buffer }, _res: Response, buf: Buffer) => {
        req.rawBody = buf;
      },
    }),
  );
  // body-parser errors (413, bad JSON) never reach Nest's filters: answer them the same way here
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => sendError(res, req, err, logger));
  setupOpenApi(app);
  serveWebApp(app, config.webDir);
  app.enableShutdownHooks();
  await app.init();
  await app.get(SeedService).applyConfigured();
  logger.log(`configuration ${JSON.stringify(describeConfig(config))}`);
  return app;
}
