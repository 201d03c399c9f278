import { Inject, Injectable } from '@nestjs/common';
import {
  CORE_PROGRESS_BATCH_PATH,
  CORE_PROGRESS_PATH,
  type ProgressBatchResponse,
  type ProgressReport,
  type ProgressReportOutcome,
} from '@ferry/contracts';
import { signRequest } from '@ferry/crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { GATEWAY_KEYS, type GatewayKeys } from '../keys/gateway-keys';
import { GatewayMetrics } from '../operations/gateway-metrics.service';

/** Why a report did not reach the core, and whether sending it again can help. */
export class CoreSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** the core's HTTP status, when it answered */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CoreSendError';
  }
}

/** Signed calls from this gateway to the core (keyId = the provider id). */
@Injectable()
export class CoreClient {
  private readonly url: URL;
  private readonly batchUrl: URL;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_KEYS) private readonly keys: GatewayKeys,
    private readonly metrics: GatewayMetrics,
  ) {
    // keep a path prefix the core may be mounted under (http://host/ferry + /api/...)
    const base = config.core.url.endsWith('/') ? config.core.url.slice(0, -1) : config.core.url;
    this.url = new URL(base + CORE_PROGRESS_PATH);
    this.batchUrl = new URL(base + CORE_PROGRESS_BATCH_PATH);
  }

  /** Resolves when the core accepted the report; throws CoreSendError otherwise. */
  async postProgress(report: ProgressReport): Promise<void> {
    try {
      await this.post(this.url, JSON.stringify(report));
      this.metrics.progressReport('delivered');
    } catch (e) {
      this.metrics.progressReport(e instanceof CoreSendError && !e.retryable ? 'refused' : 'retry');
      throw e;
    }
  }

  /**
   * Several reports in one signed request: the core's outcome for each, in order. Throws
   * CoreSendError when the request as a whole failed (status 404: a core without the batch endpoint).
   */
  async postProgressBatch(reports: ProgressReport[]): Promise<ProgressReportOutcome[]> {
    let outcomes: ProgressReportOutcome[];
    try {
      const answer = JSON.parse(await this.post(this.batchUrl, JSON.stringify({ reports }))) as ProgressBatchResponse;
      outcomes = answer?.results;
      if (!Array.isArray(outcomes) || outcomes.length !== reports.length) throw new Error('not one result per report');
    } catch (e) {
      const err = e instanceof CoreSendError ? e : new CoreSendError(`core answered a progress batch with garbage: ${(e as Error).message}`, true);
      for (let i = 0; i < reports.length; i++) this.metrics.progressReport(err.retryable ? 'retry' : 'refused');
      throw err;
    }
    for (const o of outcomes) this.metrics.progressReport('error' in o ? 'refused' : 'delivered');
    return outcomes;
  }

  private async post(url: URL, body: string): Promise<string> {
    const headers = signRequest({
      method: 'POST',
      path: url.pathname + url.search,
      body,
      keyId: this.config.id,
      signSecretKey: this.keys.sign.secretKey,
    });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      throw new CoreSendError(`core unreachable at ${url.origin}: ${(e as Error).message}`, true);
    }
    if (res.ok) return res.text().catch(() => '');
    const text = (await res.text().catch(() => '')).slice(0, 300);
    // 401 too: the core may not have fetched our keys yet, or clocks are being fixed
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408 || res.status === 401;
    throw new CoreSendError(`core answered ${res.status}: ${text}`, retryable, res.status);
  }
}
