import type { PluginLogger } from '@ferry/plugin-sdk';
import type { AppTokenProvider } from './app-token.provider';
import { backoffDelay, parseRetryAfter, sleep } from './backoff.util';
import { GlobusApiError, GlobusNetworkError } from './globus-api.error';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** attempts on 429/5xx/network errors; 1 = no retry (the poller keeps its own backoff) */
  maxAttempts?: number;
  signal?: AbortSignal;
}

export interface TransferHttpOptions {
  transferUrl: string;
  tokens: AppTokenProvider;
  logger: PluginLogger;
  maxAttempts: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
  /** aborted when the plugin stops */
  signal: AbortSignal;
}

/**
 * Authenticated JSON calls to Transfer v0.10. Retry policy (the reference's): 429 and 5xx and
 * network failures are retried with capped backoff that honours Retry-After; any other 4xx is
 * final; a 401 renews the token once and repeats the call.
 */
export class TransferHttpClient {
  /** requests sent (every attempt), for the bench's poll-rate figure */
  requests = 0;

  constructor(private readonly o: TransferHttpOptions) {}

  async request<T>(method: 'GET' | 'POST' | 'DELETE' | 'PUT', path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.o.transferUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const maxAttempts = opts.maxAttempts ?? this.o.maxAttempts;
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.o.signal]) : this.o.signal;
    let renewed = false;
    for (let attempt = 0; ; ) {
      const token = await this.o.tokens.get();
      let res: Response;
      try {
        this.requests++;
        res = await fetch(url, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.requestTimeoutMs)]),
        });
      } catch (e) {
        if (signal.aborted) throw signal.reason ?? e;
        const err = new GlobusNetworkError(`${method} ${url.pathname}: ${(e as Error).message}`);
        if (++attempt >= maxAttempts) throw err;
        await sleep(backoffDelay(attempt - 1, 250, this.o.maxBackoffMs), signal);
        continue;
      }
      if (res.ok) return (await res.json()) as T;
      const err = await GlobusApiError.fromResponse(res, parseRetryAfter(res.headers.get('retry-after')));
      if (res.status === 401 && !renewed) {
        // the token expired or was revoked early: ask Auth once more, then repeat the same call
        renewed = true;
        this.o.tokens.invalidate(token);
        this.o.logger.info('globus: Transfer refused the access token (401); renewing it', { path: url.pathname });
        continue;
      }
      if (!err.retryable || ++attempt >= maxAttempts) throw err;
      const delay = backoffDelay(attempt - 1, 250, this.o.maxBackoffMs, err.retryAfterMs);
      this.o.logger.debug('globus: retrying after a transient answer', { status: err.status, code: err.code, delayMs: delay, path: url.pathname });
      await sleep(delay, signal);
    }
  }
}
