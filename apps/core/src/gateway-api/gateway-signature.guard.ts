import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@ferry/contracts';
import { CryptoError, CryptoErrorCode, requestKeyId, verifyRequest } from '@ferry/crypto';
import type { Request } from 'express';
import { CORE_CONFIG, CoreConfig } from '../config/core-config';
import { ProviderRegistry } from '../gateway/provider-registry.service';
import { NonceRepository } from '../persistence/repositories';

/** A request that passed this guard carries the provider id that signed it. */
export type SignedRequest = Request & { rawBody?: Buffer; gatewayId?: string };

const CODE: Record<CryptoErrorCode, ErrorCode> = {
  MISSING_HEADERS: 'BAD_SIGNATURE',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  BAD_KEY: 'BAD_SIGNATURE',
  STALE_TIMESTAMP: 'STALE_TIMESTAMP',
  REPLAYED_NONCE: 'REPLAYED_REQUEST',
  BAD_ENVELOPE: 'BAD_SIGNATURE',
  DECRYPT_FAILED: 'BAD_SIGNATURE',
  WRONG_BINDING: 'BAD_SIGNATURE',
};

/**
 * Gateway-facing routes: the request must be signed by a registered provider (keyId = provider
 * id) over the exact bytes received. Nonces go to the database, so a request replayed to another
 * core replica is refused as well.
 */
@Injectable()
export class GatewaySignatureGuard implements CanActivate {
  private readonly logger = new Logger(GatewaySignatureGuard.name);

  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly registry: ProviderRegistry,
    private readonly nonces: NonceRepository,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<SignedRequest>();
    const keyId = requestKeyId(req.headers);
    if (!keyId) throw new DomainError('BAD_SIGNATURE', 'request is not signed (x-ferry-* headers missing)');
    const key = await this.registry.signKeyFor(keyId);
    if (!key) throw new DomainError('BAD_SIGNATURE', `no signing key is known for ${keyId}`);
    try {
      await verifyRequest({
        method: req.method,
        path: req.originalUrl,
        body: req.rawBody ?? '',
        headers: req.headers,
        signPublicKey: key,
        nonces: this.nonces,
        windowMs: this.config.signatureWindowSeconds * 1000,
      });
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      const code = CODE[e.code];
      if (code === 'STALE_TIMESTAMP') {
        // a gateway whose clock is off cannot report anything: say so loudly, on both ends
        const message = `${keyId}: ${e.message} (core window FERRY_SIGNATURE_WINDOW_SECONDS=${this.config.signatureWindowSeconds})`;
        this.logger.error(`refused a signed request from ${message}`);
        throw new DomainError(code, message);
      }
      this.logger.warn(`refused a signed request from ${keyId}: ${code}: ${e.message}`);
      throw new DomainError(code, e.message);
    }
    req.gatewayId = keyId;
    return true;
  }
}
