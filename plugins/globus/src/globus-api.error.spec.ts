import { GlobusApiError, GlobusNetworkError, toMechanismError } from './globus-api.error';

describe('retry classification', () => {
  it('429 and 5xx are retryable, other 4xx are not', () => {
    expect(new GlobusApiError(429, 'RequestsThrottled', 'slow').retryable).toBe(true);
    expect(new GlobusApiError(503, 'ServiceUnavailable', 'down').retryable).toBe(true);
    for (const s of [400, 401, 403, 404, 409]) expect(new GlobusApiError(s, 'X', 'y').retryable).toBe(false);
  });

  it('PermissionDenied and ConsentRequired are fatal with the Globus message', () => {
    expect(toMechanismError(new GlobusApiError(403, 'PermissionDenied', 'no rule'), 'x')).toMatchObject({
      code: 'PERMISSION_DENIED',
      retry: 'fatal',
      message: 'Globus PermissionDenied: no rule',
    });
    const consent = toMechanismError(new GlobusApiError(403, 'ConsentRequired', 'consent!', 'r1', ['scope-a']), 'x');
    expect(consent).toMatchObject({ code: 'PERMISSION_DENIED', retry: 'fatal', details: expect.objectContaining({ requiredScopes: ['scope-a'] }) });
    expect(consent.message).toContain('scope-a');
  });

  it('maps the rest', () => {
    expect(toMechanismError(new GlobusApiError(404, 'ClientError.NotFound', 'gone'), 'x').code).toBe('NOT_FOUND');
    expect(toMechanismError(new GlobusApiError(409, 'Conflict', 'c'), 'x').code).toBe('INVALID_STATE');
    expect(toMechanismError(new GlobusApiError(400, 'ClientError.BadRequest', 'b'), 'x')).toMatchObject({ code: 'REMOTE_ERROR', retry: 'no-retry' });
    expect(toMechanismError(new GlobusApiError(502, 'X', 'b'), 'x')).toMatchObject({ code: 'PEER_UNREACHABLE', retry: 'retry' });
    expect(toMechanismError(new GlobusNetworkError('ECONNREFUSED'), 'x')).toMatchObject({ code: 'PEER_UNREACHABLE', retry: 'retry' });
  });
});
