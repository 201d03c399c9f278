import { Logger } from '@nestjs/common';
import { CORE_PROGRESS_PATH } from '@ferry/contracts';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { CoreMetrics } from '../metrics/core-metrics.service';
import { RequestContext, requestContext } from './request-context';

type ContextRequest = Request & { ferryContext?: RequestContext; user?: { name: string }; route?: { path?: string } };

/** A caller's x-request-id is kept when it is a plain short id; anything else gets a fresh UUID. */
const GOOD_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRANSFER_PATH = /^\/api\/(?:transfers|tasks)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * First middleware of every request: the request id (x-request-id in and out), the request context
 * for logs and audit entries, and, when the answer has gone out, one access-log line and the HTTP
 * metrics. Runs before the body parser, so a 413 is counted and carries an id too.
 */
export function requestContextMiddleware(metrics: CoreMetrics) {
  const logger = new Logger('Http');
  return (req: ContextRequest, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && GOOD_ID.test(given) ? given : randomUUID();
    const ctx: RequestContext = { requestId };
    const m = TRANSFER_PATH.exec(req.path);
    if (m) ctx.transferId = m[1].toLowerCase();
    req.ferryContext = ctx;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    // counted when the status line is written (as on-headers does), so a client that reads the
    // answer and then scrapes /metrics always finds its request counted
    let counted = false;
    const count = (status: number) => {
      if (counted) return;
      counted = true;
      metrics.httpRequests.inc({ method: req.method, route: routeLabel(req), status: String(status) });
    };
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: unknown[]) {
      count(typeof args[0] === 'number' ? args[0] : res.statusCode);
      return (writeHead as (...a: unknown[]) => Response).apply(this, args);
    } as Response['writeHead'];
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeLabel(req);
      count(res.statusCode); // the client went away before an answer
      requestContext.run(ctx, () => {
        const line = {
          msg: `${req.method} ${req.path} ${res.statusCode} ${Math.round(ms)}ms`,
          method: req.method,
          path: req.path, // never the query string: the event stream's ?access_token= would land in logs
          route,
          status: res.statusCode,
          durationMs: Math.round(ms * 10) / 10,
          ...(req.user ? { user: req.user.name } : {}),
        };
        if (res.statusCode >= 500) logger.warn(line);
        else if (quiet(req, res.statusCode)) logger.debug(line);
        else logger.log(line);
      });
    });
    requestContext.run(ctx, next);
  };
}

/**
 * Right after the body parser: enters the request's context again (the parser's stream callbacks
 * run outside it) and names the transfer a gateway's progress report is about.
 */
export function reenterRequestContext(req: ContextRequest, _res: Response, next: NextFunction): void {
  const ctx = req.ferryContext;
  if (!ctx) return next();
  const body = req.body as { transferId?: unknown } | undefined;
  if (!ctx.transferId && req.path === CORE_PROGRESS_PATH && typeof body?.transferId === 'string' && UUID.test(body.transferId)) {
    ctx.transferId = body.transferId.toLowerCase();
  }
  requestContext.run(ctx, next);
}

/** The matched route pattern (bounded label values), never the raw path. */
function routeLabel(req: ContextRequest): string {
  const p = req.route?.path;
  if (typeof p === 'string') return p;
  return req.path === '/api' || req.path.startsWith('/api/') || req.path.startsWith('/.well-known/') ? 'unmatched' : 'web';
}

/** Reads that succeed (polling, probes, scrapes) and accepted progress reports go to debug; writes and failures to log. */
function quiet(req: Request, status: number): boolean {
  if (status >= 400) return false;
  return req.method === 'GET' || req.method === 'HEAD' || req.path === CORE_PROGRESS_PATH;
}
