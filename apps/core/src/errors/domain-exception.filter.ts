import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorResponse } from './error-response.util';

/** Global filter: every error leaves the core as `{error:{code,message,details?}}` (see toErrorResponse). */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    sendError(res, req, err, this.logger);
  }
}

/** Shared with the body-parser error middleware so both answer alike. */
export function sendError(res: Response, req: Request, err: unknown, logger: Logger): void {
  const { status, body, unexpected } = toErrorResponse(err);
  if (unexpected) {
    logger.error(`${req.method} ${req.path}: ${(err as Error)?.stack ?? String(err)}`);
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  const retryable = body.error.code === 'RATE_LIMITED' || body.error.code === 'SERVICE_UNAVAILABLE';
  const retryAfter = retryable ? body.error.details?.retryAfterSeconds : undefined;
  if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
  res.status(status).json(body);
}
