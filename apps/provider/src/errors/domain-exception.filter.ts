import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, type ErrorCode } from '@ferry/contracts';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  409: 'INVALID_STATE',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/**
 * The one place where errors become HTTP responses, with the same body shape as the core:
 * `{ error: { code, message, details? } }`, status from ERROR_STATUS. Anything that is not a
 * DomainError (or Nest's own routing errors) is a bug: 500 INTERNAL, logged, details not leaked.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = this.toDomainError(exception);
    if (error.status >= 500 && error.code === 'INTERNAL') {
      this.logger.error((exception as Error)?.stack ?? String(exception));
    }
    if (res.headersSent) return;
    res.status(error.status).json(error.toBody());
  }

  private toDomainError(e: unknown): DomainError {
    if (e instanceof DomainError) return e;
    if (e instanceof HttpException) {
      const code = BY_STATUS[e.getStatus()];
      if (code) return new DomainError(code, e.message);
    }
    return new DomainError('INTERNAL', 'internal error');
  }
}
