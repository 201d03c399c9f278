import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError, ERROR_STATUS } from '@ferry/contracts';
import { QueryFailedError } from 'typeorm';
import { toErrorResponse } from './error-response.util';

describe('toErrorResponse', () => {
  it('maps every DomainError code to its ERROR_STATUS status and body', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const r = toErrorResponse(new DomainError(code as keyof typeof ERROR_STATUS, 'm', { a: 1 }));
      expect(r).toEqual({ status, body: { error: { code, message: 'm', details: { a: 1 } } }, unexpected: false });
    }
  });

  it("gives Nest's own exceptions the same body shape", () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x')).body).toEqual({ error: { code: 'NOT_FOUND', message: 'Cannot GET /x' } });
    expect(toErrorResponse(new PayloadTooLargeException()).status).toBe(413);
    expect(toErrorResponse(new BadRequestException(['a must be a string', 'b missing'])).body.error).toEqual({ code: 'VALIDATION_FAILED', message: 'a must be a string; b missing' });
  });

  it('maps body-parser errors (raised before Nest sees the request)', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, expose: true, limit: 10 });
    expect(toErrorResponse(tooLarge)).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const badJson = Object.assign(new SyntaxError('Unexpected end'), { type: 'entity.parse.failed', status: 400, expose: true });
    expect(toErrorResponse(badJson)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });

  it('answers 503 SERVICE_UNAVAILABLE while the database cannot be reached, 500 for a bad query', () => {
    const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
    const unavailable = [
      new QueryFailedError('SELECT 1', [], pgError('terminating connection due to administrator command', '57P01')),
      new QueryFailedError('SELECT 1', [], pgError('the database system is starting up', '57P03')),
      new QueryFailedError('SELECT 1', [], pgError('Connection terminated unexpectedly')),
      pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
    ];
    for (const e of unavailable) {
      expect(toErrorResponse(e)).toEqual({
        status: 503,
        body: { error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), details: { retryAfterSeconds: 5 } } },
        unexpected: false,
      });
    }
    const badQuery = new QueryFailedError('SELEC 1', [], pgError('syntax error at or near "SELEC"', '42601'));
    expect(toErrorResponse(badQuery)).toMatchObject({ status: 500, unexpected: true });
  });

  it('treats anything else as a 500 INTERNAL bug without leaking its message', () => {
    const r = toErrorResponse(new TypeError('secret detail'));
    expect(r.status).toBe(500);
    expect(r.unexpected).toBe(true);
    expect(JSON.stringify(r.body)).not.toContain('secret detail');
  });
});
