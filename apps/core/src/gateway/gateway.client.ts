import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BrowseRequest,
  ControlRequest,
  DomainError,
  ErrorCode,
  FinalizeRequest,
  FinalizeResponse,
  GATEWAY_ACCESS_POINTS_PATH,
  GATEWAY_API_PREFIX,
  GatewayTransferStatus,
  GatewayTriggerRequest,
  GatewayTriggerResponse,
  isErrorBody,
  PrepareRequest,
  PrepareResponse,
  WELL_KNOWN_PROVIDER_PATH,
} from '@ferry/contracts';
import { signRequest } from '@ferry/crypto';
import { CoreInstance } from '../config/core-instance';
import { CORE_KEYS, CoreKeys } from '../config/core-keys';
import { CoreMetrics } from '../metrics/core-metrics.service';

/** The kinds of gateway call, as the metrics label them. */
export type GatewayCallKind = 'prepare' | 'trigger' | 'control' | 'finalize' | 'browse' | 'descriptor' | 'status' | 'access-points';

/** Where a gateway lives; enough to call it. */
export interface GatewayAddress {
  id: string;
  url: string;
}

/**
 * Gateway error codes the researcher can act on, passed through as they are. Anything else a
 * gateway answers with (its 401 about our signature, its 5xx, a validation error that would be our
 * bug) becomes PROVIDER_ERROR: it is not the researcher's request that was wrong.
 */
const PASS_THROUGH = new Set<ErrorCode>([
  'TRIGGER_INVALID',
  'TRIGGER_REPLAYED',
  'BAD_ENVELOPE',
  'BAD_PATH',
  'REJECTED_BY_POLICY',
  'NO_COMMON_MECHANISM',
  'NOT_FOUND',
  'EXPIRED',
  'INVALID_STATE',
  'FORBIDDEN',
]);

/**
 * Every call from the core to a gateway: JSON, signed with the core's key (keyId 'core'), with a
 * timeout per kind of call (CoreInstance.timeouts). Network failures become PROVIDER_UNAVAILABLE; error answers become the gateway's own
 * code where the researcher can act on it, else PROVIDER_ERROR. Every call is measured here (the one
 * place all gateway traffic passes): latency by provider and call, errors by their resulting code.
 */
@Injectable()
export class GatewayClient {
  private readonly logger = new Logger(GatewayClient.name);

  constructor(
    private readonly instance: CoreInstance,
    @Inject(CORE_KEYS) private readonly keys: CoreKeys,
    private readonly metrics: CoreMetrics,
  ) {}

  prepare(gw: GatewayAddress, req: PrepareRequest): Promise<PrepareResponse> {
    return this.call('prepare', gw, 'POST', `${GATEWAY_API_PREFIX}/transfers/prepare`, req);
  }

  trigger(gw: GatewayAddress, transferId: string, req: GatewayTriggerRequest): Promise<GatewayTriggerResponse> {
    return this.call('trigger', gw, 'POST', `${GATEWAY_API_PREFIX}/transfers/${encodeURIComponent(transferId)}/trigger`, req);
  }

  control(gw: GatewayAddress, transferId: string, req: ControlRequest): Promise<unknown> {
    const path = `${GATEWAY_API_PREFIX}/transfers/${encodeURIComponent(transferId)}/control`;
    return this.call('control', gw, 'POST', path, req, { timeoutMs: this.instance.timeouts.control });
  }

  finalize(gw: GatewayAddress, transferId: string, req: FinalizeRequest): Promise<FinalizeResponse> {
    const path = `${GATEWAY_API_PREFIX}/transfers/${encodeURIComponent(transferId)}/finalize`;
    return this.call('finalize', gw, 'POST', path, req, { timeoutMs: this.instance.timeouts.finalize });
  }

  /** The gateway's own view of one side of a transfer (the stale-task check asks the source). */
  status(gw: GatewayAddress, transferId: string, role: 'source' | 'destination'): Promise<GatewayTransferStatus> {
    return this.call('status', gw, 'GET', `${GATEWAY_API_PREFIX}/transfers/${encodeURIComponent(transferId)}/status?role=${role}`, undefined);
  }

  browse(gw: GatewayAddress, req: BrowseRequest): Promise<unknown> {
    return this.call('browse', gw, 'POST', `${GATEWAY_API_PREFIX}/browse`, req);
  }

  /** The gateway's tunnel access points and the peers its policy lets use them (checked by the caller). */
  accessPoints(gw: GatewayAddress): Promise<unknown> {
    return this.call('access-points', gw, 'GET', GATEWAY_ACCESS_POINTS_PATH, undefined);
  }

  /** The gateway's public descriptor (unsigned; its keys are checked by the registry). */
  descriptor(gw: GatewayAddress, opts: { timeoutMs?: number } = {}): Promise<unknown> {
    return this.call('descriptor', gw, 'GET', WELL_KNOWN_PROVIDER_PATH, undefined, { sign: false, timeoutMs: opts.timeoutMs });
  }

  private async call<T>(
    kind: GatewayCallKind,
    gw: GatewayAddress,
    method: 'GET' | 'POST',
    path: string,
    payload: unknown,
    opts: { sign?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    const labels = { provider: gw.id, call: kind };
    const stop = this.metrics.providerCallDuration.startTimer(labels);
    try {
      return await this.send<T>(gw, method, path, payload, opts);
    } catch (e) {
      this.metrics.providerCallErrors.inc({ ...labels, code: e instanceof DomainError ? e.code : 'INTERNAL' });
      throw e;
    } finally {
      stop();
    }
  }

  private async send<T>(
    gw: GatewayAddress,
    method: 'GET' | 'POST',
    path: string,
    payload: unknown,
    opts: { sign?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), gw.url.endsWith('/') ? gw.url : `${gw.url}/`);
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const request = (): Promise<Response> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (opts.sign !== false) {
        // signed per attempt: a resent request needs a nonce of its own
        Object.assign(
          headers,
          signRequest({ method, path: url.pathname + url.search, body, keyId: 'core', signSecretKey: this.keys.secretKey }),
        );
      }
      return fetch(url, {
        method,
        headers,
        body: payload === undefined ? undefined : body,
        signal: AbortSignal.timeout(opts.timeoutMs ?? this.instance.timeouts.call),
      });
    };
    let res: Response;
    let text: string;
    try {
      res = await request().catch((e) => (staleConnection(e) ? request() : Promise.reject(e)));
      text = await res.text();
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name ?? 'error';
      this.logger.warn(`${method} ${gw.id}${url.pathname}: unreachable (${cause})`);
      throw new DomainError('PROVIDER_UNAVAILABLE', `provider ${gw.id} could not be reached (${cause})`, {
        providerId: gw.id,
      });
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (!text) return {} as T; // e.g. 204: nothing to read, nothing wrong
      if (json === undefined) {
        throw new DomainError('PROVIDER_UNAVAILABLE', `provider ${gw.id} answered ${method} ${url.pathname} with something that is not JSON`, {
          providerId: gw.id,
        });
      }
      this.logger.debug(`${method} ${gw.id}${url.pathname}: ${res.status}`);
      return json as T;
    }
    if (isErrorBody(json)) {
      const { code, message } = json.error;
      if (code === 'STALE_TIMESTAMP') {
        // the gateway's clock and ours disagree beyond its signature window: nothing signed will pass until fixed
        const why = `provider ${gw.id} refused the core's signed request because of clock skew: ${message}`;
        this.logger.error(`${method} ${gw.id}${url.pathname}: ${why}`);
        const skew = (json.error.details as { skewSeconds?: unknown } | undefined)?.skewSeconds;
        throw new DomainError('PROVIDER_ERROR', `${why}. Check NTP on the core and the gateway host.`, {
          providerId: gw.id,
          providerCode: code,
          ...(typeof skew === 'number' ? { skewSeconds: skew } : {}),
        });
      }
      this.logger.warn(`${method} ${gw.id}${url.pathname}: ${res.status} ${code}: ${message}`);
      if (res.status < 500 && PASS_THROUGH.has(code)) {
        throw new DomainError(code, `provider ${gw.id}: ${message}`, { providerId: gw.id });
      }
      throw new DomainError('PROVIDER_ERROR', `provider ${gw.id} answered ${res.status} ${code}: ${message}`, {
        providerId: gw.id,
        providerCode: code,
      });
    }
    this.logger.warn(`${method} ${gw.id}${url.pathname}: ${res.status} without an error body`);
    throw new DomainError('PROVIDER_ERROR', `provider ${gw.id} answered ${method} ${url.pathname} with HTTP ${res.status}`, {
      providerId: gw.id,
    });
  }
}

/**
 * fetch reuses kept-alive connections, and one that the gateway is closing for idleness at that very
 * moment fails the request before the gateway read it ("other side closed", nodejs/undici#3141; seen
 * under load). Every gateway call is idempotent by transfer id, so such a call is sent once more, on
 * a new connection.
 */
function staleConnection(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } }).cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}
