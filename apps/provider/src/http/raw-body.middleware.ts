import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@ferry/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';

export interface RawBodyRequest {
  /** the body bytes exactly as received: signatures are verified over these, not a re-serialization */
  rawBody?: Buffer;
}

/**
 * Reads the body once, keeps the raw bytes for signature checks and parses JSON. Replaces Nest's
 * body parser so that a too-large or malformed body becomes a DomainError (413 PAYLOAD_TOO_LARGE,
 * 400 VALIDATION_FAILED) handled by the one exception filter like every other error.
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async use(req: Request & RawBodyRequest, _res: Response, next: NextFunction): Promise<void> {
    // a finalize carries the manifest of a whole tree; every other call is small
    const limit = FINALIZE_PATH.test((req.originalUrl ?? req.url).split('?')[0]) ? this.config.maxManifestBodyBytes : this.config.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw tooLarge(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
    req.rawBody = Buffer.concat(chunks);
    req.body = {};
    if (req.rawBody.length > 0) {
      try {
        req.body = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        throw new DomainError('VALIDATION_FAILED', 'the request body is not valid JSON');
      }
    }
    next();
  }
}

const FINALIZE_PATH = /\/transfers\/[^/]+\/finalize$/;

const tooLarge = (limit: number) =>
  new DomainError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`, { limitBytes: limit });
