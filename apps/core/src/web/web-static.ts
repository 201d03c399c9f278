import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Serves the web app's build from FERRY_WEB_DIR at / when that folder exists, with a single-page
 * fallback: a GET for any other non-/api path that wants HTML gets index.html.
 */
export function serveWebApp(app: NestExpressApplication, webDir: string): void {
  const index = path.join(webDir, 'index.html');
  if (!fs.existsSync(index)) {
    new Logger('Web').log(`no web app at ${webDir}; serving the API only`);
    return;
  }
  app.use(express.static(webDir, { index: 'index.html', fallthrough: true }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    // the API, probes and metrics answer for themselves (curl's Accept: */* would otherwise get index.html)
    const apiLike =
      req.path === '/api' ||
      req.path.startsWith('/api/') ||
      req.path.startsWith('/.well-known/') ||
      req.path === '/metrics' ||
      req.path === '/health' ||
      req.path.startsWith('/health/');
    if (req.method !== 'GET' || apiLike || !req.accepts('html')) return next();
    res.sendFile(index);
  });
}
