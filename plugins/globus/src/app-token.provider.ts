import { MechanismError, type Clock, type PluginLogger } from '@ferry/plugin-sdk';
import { GlobusApiError, GlobusNetworkError } from './globus-api.error';
import { backoffDelay, parseRetryAfter, sleep } from './backoff.util';

export const TRANSFER_SCOPE = 'urn:globus:auth:scope:transfer.api.globus.org:all';

export interface AppTokenProviderOptions {
  authUrl: string;
  clientId: string;
  secret: () => Promise<string>;
  clock: Clock;
  logger: PluginLogger;
  renewMarginSeconds: number;
  maxBackoffMs: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  signal: AbortSignal;
}

/**
 * The application's Transfer access token from the client_credentials grant (HTTP Basic). The grant
 * issues no refresh token, so the provider asks again shortly before expiry, and once more when
 * Transfer answers 401 (invalidate). Concurrent callers share one in-flight request.
 */
export class AppTokenProvider {
  private token: { value: string; renewAt: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** how many tokens were fetched (for tests and metrics) */
  fetched = 0;

  constructor(private readonly o: AppTokenProviderOptions) {}

  /** the current token value, for log redaction only */
  current(): string | null {
    return this.token?.value ?? null;
  }

  async get(): Promise<string> {
    if (this.token && this.o.clock.now().getTime() < this.token.renewAt) return this.token.value;
    this.inflight ??= this.fetch().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** Transfer said 401 with this token: forget it so the next get() asks Auth again. */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = null;
  }

  private async fetch(): Promise<string> {
    const secret = await this.o.secret();
    const basic = Buffer.from(`${encodeURIComponent(this.o.clientId)}:${encodeURIComponent(secret)}`).toString('base64');
    const url = new URL('/v2/oauth2/token', this.o.authUrl).toString();
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: TRANSFER_SCOPE }).toString(),
          signal: AbortSignal.any([this.o.signal, AbortSignal.timeout(this.o.requestTimeoutMs)]),
        });
      } catch (e) {
        if (this.o.signal.aborted || attempt + 1 >= this.o.maxAttempts) throw new GlobusNetworkError(`token request failed: ${(e as Error).message}`);
        await sleep(backoffDelay(attempt, 250, this.o.maxBackoffMs), this.o.signal);
        continue;
      }
      if (res.ok) {
        const body = (await res.json()) as { access_token?: string; expires_in?: number };
        if (!body.access_token) throw new MechanismError('AUTH_FAILED', 'Globus Auth answered without an access_token', 'fatal');
        const lifetime = Math.max(1, Number(body.expires_in ?? 3600));
        const margin = Math.min(this.o.renewMarginSeconds, lifetime / 2);
        this.token = { value: body.access_token, renewAt: this.o.clock.now().getTime() + (lifetime - margin) * 1000 };
        this.fetched++;
        this.o.logger.debug('globus: obtained an application access token', { expiresIn: lifetime });
        return body.access_token;
      }
      const err = await GlobusApiError.fromResponse(res, parseRetryAfter(res.headers.get('retry-after')));
      if (err.retryable && attempt + 1 < this.o.maxAttempts) {
        await sleep(backoffDelay(attempt, 250, this.o.maxBackoffMs, err.retryAfterMs), this.o.signal);
        continue;
      }
      if (err.retryable) throw err;
      // invalid_client / invalid_grant: the configured credentials are wrong; retrying cannot help
      throw new MechanismError('AUTH_FAILED', `Globus Auth refused the application credentials (${err.code}: ${err.message})`, 'fatal', {
        globusCode: err.code,
        status: err.status,
      });
    }
  }
}
