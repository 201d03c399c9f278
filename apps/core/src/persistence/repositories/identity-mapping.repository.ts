import { Injectable } from '@nestjs/common';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';

/** A mapping with the user's name. */
export interface MappingRow {
  userName: string;
  providerId: string;
  identity: string;
}

@Injectable()
export class IdentityMappingRepository {
  constructor(private readonly db: Database) {}

  async upsert(userId: string, providerId: string, identity: string, audit?: AuditEntry): Promise<void> {
    const q = withAudit(
      `INSERT INTO identity_mappings (user_id, provider_id, identity) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, provider_id) DO UPDATE SET identity = EXCLUDED.identity RETURNING user_id`,
      [userId, providerId, identity],
      audit,
    );
    await this.db.rows(q.sql, q.params);
  }

  /** The user's identity at a provider, or null when there is no mapping. */
  async find(userId: string, providerId: string): Promise<string | null> {
    const r = await this.db.rows<{ identity: string }>(
      `SELECT identity FROM identity_mappings WHERE user_id = $1 AND provider_id = $2`,
      [userId, providerId],
    );
    return r[0]?.identity ?? null;
  }

  /** Every provider where the user has an identity, with it, ordered by provider id. */
  async listForUser(userId: string): Promise<Array<{ providerId: string; identity: string }>> {
    const r = await this.db.rows<{ provider_id: string; identity: string }>(
      `SELECT provider_id, identity FROM identity_mappings WHERE user_id = $1 ORDER BY provider_id`,
      [userId],
    );
    return r.map((x) => ({ providerId: x.provider_id, identity: x.identity }));
  }

  // ---- admin API ----

  async list(filter: { userName?: string; providerId?: string } = {}): Promise<MappingRow[]> {
    const rows = await this.db.rows<Record<string, string>>(
      `SELECT u.name AS user_name, m.provider_id, m.identity FROM identity_mappings m JOIN users u ON u.id = m.user_id
        WHERE ($1::text IS NULL OR u.name = $1) AND ($2::text IS NULL OR m.provider_id = $2)
        ORDER BY u.name, m.provider_id`,
      [filter.userName ?? null, filter.providerId ?? null],
    );
    return rows.map((r) => ({ userName: r.user_name, providerId: r.provider_id, identity: r.identity }));
  }

  /** false when there was no mapping. */
  async remove(userId: string, providerId: string, audit?: AuditEntry): Promise<boolean> {
    const q = withAudit(`DELETE FROM identity_mappings WHERE user_id = $1 AND provider_id = $2 RETURNING identity`, [userId, providerId], audit);
    return (await this.db.rows(q.sql, q.params)).length > 0;
  }
}
