import { Injectable } from '@nestjs/common';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { ApiTokenEntity, UserEntity } from '../entities';

export type UserWithTokens = UserEntity & { activeTokens: number };
export type TokenWithUser = ApiTokenEntity & { userName: string };

/** Users and their API tokens (tokens only ever as sha256 hex). */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** The owner of a live (not revoked) token, or null; a disabled user's tokens are not live. */
  findByTokenHash(tokenHash: string): Promise<UserEntity | null> {
    return this.db.entity(
      UserEntity,
      `SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND NOT t.revoked AND NOT u.disabled`,
      [tokenHash],
    );
  }

  findByName(name: string): Promise<UserEntity | null> {
    return this.db.entity(UserEntity, `SELECT * FROM users WHERE name = $1`, [name]);
  }

  /** Seed upsert: the seed decides the admin flag of the users it names. */
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
    const r = await this.db.rows(
      `UPDATE api_tokens SET revoked = true, revoked_at = COALESCE(revoked_at, now()) WHERE token_hash = $1 RETURNING token_hash`,
      [tokenHash],
    );
    return r.length > 0;
  }

  // ---- admin API ----

  async list(): Promise<UserWithTokens[]> {
    const rows = await this.db.rows(
      `SELECT u.*, (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND NOT t.revoked)::int AS active_tokens
         FROM users u ORDER BY u.name`,
    );
    return rows.map((r) => Object.assign(this.db.toEntity(UserEntity, r), { activeTokens: Number(r.active_tokens) }));
  }

  /** A new user, or null when the name is taken. */
  create(name: string, admin: boolean, audit?: AuditEntry): Promise<UserEntity | null> {
    const q = withAudit(`INSERT INTO users (name, admin) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING *`, [name, admin], audit);
    return this.db.entity(UserEntity, q.sql, q.params);
  }

  /** Sets the given flags; null when there is no such user. */
  update(name: string, patch: { admin?: boolean; disabled?: boolean }, audit?: AuditEntry): Promise<UserEntity | null> {
    const q = withAudit(
      `UPDATE users SET admin = COALESCE($2, admin), disabled = COALESCE($3, disabled) WHERE name = $1 RETURNING *`,
      [name, patch.admin ?? null, patch.disabled ?? null],
      audit,
    );
    return this.db.entity(UserEntity, q.sql, q.params);
  }

  /** Stores a new token's hash for a user (by name); null when there is no such user. */
  async createToken(userName: string, tokenHash: string, label: string | null, audit?: AuditEntry): Promise<TokenWithUser | null> {
    const q = withAudit(
      `INSERT INTO api_tokens (token_hash, user_id, label) SELECT $1, u.id, $3 FROM users u WHERE u.name = $2 RETURNING *`,
      [tokenHash, userName, label],
      audit,
    );
    const t = await this.db.entity(ApiTokenEntity, q.sql, q.params);
    return t && Object.assign(t, { userName });
  }

  async listTokens(userName?: string): Promise<TokenWithUser[]> {
    const rows = await this.db.rows(
      `SELECT t.*, u.name AS user_name FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE ($1::text IS NULL OR u.name = $1) ORDER BY u.name, t.created_at, t.id`,
      [userName ?? null],
    );
    return rows.map((r) => Object.assign(this.db.toEntity(ApiTokenEntity, r), { userName: r.user_name as string }));
  }

  async findToken(id: string): Promise<TokenWithUser | null> {
    const rows = await this.db.rows(
      `SELECT t.*, u.name AS user_name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`,
      [id],
    );
    return rows[0] ? Object.assign(this.db.toEntity(ApiTokenEntity, rows[0]), { userName: rows[0].user_name as string }) : null;
  }

  /** Revokes a live token by id; null when it does not exist or was already revoked. */
  revokeTokenById(id: string, audit?: AuditEntry): Promise<ApiTokenEntity | null> {
    const q = withAudit(
      `UPDATE api_tokens SET revoked = true, revoked_at = now() WHERE id = $1 AND NOT revoked RETURNING *`,
      [id],
      audit,
    );
    return this.db.entity(ApiTokenEntity, q.sql, q.params);
  }
}
