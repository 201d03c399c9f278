import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '@ferry/contracts';
import { CryptoError, MemoryNonceStore, SIGNATURE_HEADERS, requestKeyId, verifyRequest } from '@ferry/crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import type { RawBodyRequest } from '../http/raw-body.middleware';

/** The only key this gateway accepts calls from (the core's, pinned in the config). */
export const CORE_KEY_ID = 'core';

/**
 * Every /ferry/v1 call must be signed by the core: Ed25519 over method, path with query, timestamp,
 * nonce and the hash of the raw body bytes as received. Unsigned or forged -> BAD_SIGNATURE,
 * outside the window -> STALE_TIMESTAMP (with the skew), a nonce seen before -> REPLAYED_REQUEST.
 */
@Injectable()
export class SignedRequestGuard implements CanActivate {
  private readonly nonces = new MemoryNonceStore();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & RawBodyRequest>();
    const keyId = requestKeyId(req.headers);
    if (keyId !== undefined && keyId !== CORE_KEY_ID) {
      throw new DomainError('BAD_SIGNATURE', `unknown signing key id '${keyId}' (this gateway accepts calls from its core only)`);
    }
    const windowMs = this.config.signatureWindowSeconds * 1000;
    try {
      await verifyRequest({
        method: req.method,
        path: req.originalUrl,
        body: req.rawBody ?? new Uint8Array(0),
        headers: req.headers,
        signPublicKey: this.config.core.signPublicKey,
        nonces: this.nonces,
        windowMs,
      });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      if (e.code === 'STALE_TIMESTAMP') {
        const ts = Number(req.headers[SIGNATURE_HEADERS.timestamp]);
        throw new DomainError('STALE_TIMESTAMP', e.message, { skewSeconds: Math.round((ts - Date.now()) / 1000), windowSeconds: windowMs / 1000 });
      }
      if (e.code === 'REPLAYED_NONCE') throw new DomainError('REPLAYED_REQUEST', e.message);
      throw new DomainError('BAD_SIGNATURE', e.message);
    }
    return true;
  }
}
