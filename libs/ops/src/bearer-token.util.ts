import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The check behind a `/metrics` endpoint's optional token (the core's FERRY_METRICS_TOKEN, the
 * gateway's `metricsToken`). With no token configured every request passes; otherwise the
 * `Authorization` header must be `Bearer <token>`. Digests are compared, so the comparison takes the
 * same time whatever was sent and whatever its length.
 */
export function bearerTokenCheck(expected: string | null | undefined): (authorization: unknown) => boolean {
  if (!expected) return () => true;
  const want = digest(expected);
  return (authorization) => {
    const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    return !!m && timingSafeEqual(digest(m[1]), want);
  };
}
