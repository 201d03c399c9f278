import { Inject, Injectable } from '@nestjs/common';
import { CORE_PROGRESS_PATH, type ProgressReport } from '@ferry/contracts';
import { signRequest } from '@ferry/crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GATEWAY_KEYS, type GatewayKeys } from '../keys/gateway-keys';
import { GatewayMetrics } from '../operations/gateway-metrics.service';

/** Why a report did not reach the core, and whether sending it again can help. */
export class CoreSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'CoreSendError';
  }
}

/** Signed calls from this gateway to the core (keyId = the provider id). */
@Injectable()
export class CoreClient {
  private readonly url: URL;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_KEYS) private readonly keys: GatewayKeys,
    private readonly metrics: GatewayMetrics,
  ) {
    // keep a path prefix the core may be mounted under (http://host/ferry + /api/...)
    const base = config.core.url.endsWith('/') ? config.core.url.slice(0, -1) : config.core.url;
    this.url = new URL(base + CORE_PROGRESS_PATH);
  }

  /** Resolves when the core accepted the report; throws CoreSendError otherwise. */
  async postProgress(report: ProgressReport): Promise<void> {
    try {
      await this.send(report);
      this.metrics.progressReport('delivered');
    } catch (e) {
      this.metrics.progressReport(e instanceof CoreSendError && !e.retryable ? 'refused' : 'retry');
      throw e;
    }
  }

  private async send(report: ProgressReport): Promise<void> {
    const body = JSON.stringify(report);
    const headers = signRequest({
      method: 'POST',
      path: this.url.pathname + this.url.search,
      body,
      keyId: this.config.id,
      signSecretKey: this.keys.sign.secretKey,
    });
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new CoreSendError(`core unreachable at ${this.url.origin}: ${(e as Error).message}`, true);
    }
    if (res.ok) return void (await res.arrayBuffer().catch(() => undefined));
    const text = (await res.text().catch(() => '')).slice(0, 300);
    // 401 too: the core may not have fetched our keys yet, or clocks are being fixed
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408 || res.status === 401;
    throw new CoreSendError(`core answered ${res.status}: ${text}`, retryable);
  }
}
