import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';
import { UserEntity } from '../entities';

/** Users and their API tokens (tokens only ever as sha256 hex). */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** The owner of a live (not revoked) token, or null. */
  findByTokenHash(tokenHash: string): Promise<UserEntity | null> {
    return this.db.entity(
      UserEntity,
      `SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND NOT t.revoked`,
      [tokenHash],
    );
  }

  findByName(name: string): Promise<UserEntity | null> {
    return this.db.entity(UserEntity, `SELECT * FROM users WHERE name = $1`, [name]);
  }

  async upsert(name: string, admin: boolean): Promise<UserEntity> {
    const u = await this.db.entity(
      UserEntity,
      `INSERT INTO users (name, admin) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET admin = EXCLUDED.admin RETURNING *`,
      [name, admin],
    );
    return u!;
  }

  /** Adds a token; a token already known (to anyone) is left as it is. */
  async addToken(userId: string, tokenHash: string, label: string | null = null): Promise<void> {
    await this.db.rows(
      `INSERT INTO api_tokens (token_hash, user_id, label) VALUES ($1, $2, $3) ON CONFLICT (token_hash) DO NOTHING`,
      [tokenHash, userId, label],
    );
  }

  async revokeToken(tokenHash: string): Promise<boolean> {
    const r = await this.db.rows(`UPDATE api_tokens SET revoked = true WHERE token_hash = $1 RETURNING token_hash`, [
      tokenHash,
    ]);
    return r.length > 0;
  }
}
