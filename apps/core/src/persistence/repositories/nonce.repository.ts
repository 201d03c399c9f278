import { Injectable } from '@nestjs/common';
import type { NonceStore } from '@ferry/crypto';
import { Database } from '../database.service';

/**
 * Nonces of signed gateway requests, in the database so that several core replicas refuse a
 * request replayed to any of them. The primary key decides: the first insert wins.
 */
@Injectable()
export class NonceRepository implements NonceStore {
  constructor(private readonly db: Database) {}

  async remember(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> {
    const r = await this.db.rows(
      `INSERT INTO used_nonces (key_id, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id, nonce) DO NOTHING RETURNING nonce`,
      [keyId, nonce, new Date(expiresAtMs)],
    );
    return r.length === 1;
  }

  /** Forgets nonces whose requests would fail the timestamp check anyway; returns how many. */
  async deleteExpired(): Promise<number> {
    const r = await this.db.rows(`DELETE FROM used_nonces WHERE expires_at < now() RETURNING nonce`);
    return r.length;
  }
}
