import { Injectable } from '@nestjs/common';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { ProviderEntity } from '../entities';

export interface ProviderSeed {
  id: string;
  name: string;
  url: string;
  signPublicKey?: string;
  boxPublicKey?: string;
}

@Injectable()
export class ProviderRepository {
  constructor(private readonly db: Database) {}

  /**
   * Seed upsert. Keys given in the seed are pinned; without them, keys fetched earlier are kept
   * unless the seed just removed a pin (then they are dropped and fetched again).
   */
  async upsert(p: ProviderSeed): Promise<void> {
    const pinned = !!(p.signPublicKey && p.boxPublicKey);
    await this.db.rows(
      `INSERT INTO providers (id, name, url, sign_public_key, box_public_key, keys_pinned)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name,
         url = EXCLUDED.url,
         sign_public_key = CASE WHEN EXCLUDED.keys_pinned THEN EXCLUDED.sign_public_key
                                WHEN providers.keys_pinned THEN NULL ELSE providers.sign_public_key END,
         box_public_key = CASE WHEN EXCLUDED.keys_pinned THEN EXCLUDED.box_public_key
                               WHEN providers.keys_pinned THEN NULL ELSE providers.box_public_key END,
         fetched_at = CASE WHEN providers.url <> EXCLUDED.url THEN NULL ELSE providers.fetched_at END,
         keys_pinned = EXCLUDED.keys_pinned`,
      [p.id, p.name, p.url, pinned ? p.signPublicKey : null, pinned ? p.boxPublicKey : null, pinned],
    );
  }

  find(id: string): Promise<ProviderEntity | null> {
    return this.db.entity(ProviderEntity, `SELECT * FROM providers WHERE id = $1`, [id]);
  }

  list(): Promise<ProviderEntity[]> {
    return this.db.entities(ProviderEntity, `SELECT * FROM providers ORDER BY id`);
  }

  /**
   * Caches what the gateway's descriptor said; pinned keys are never overwritten, unless `pin`
   * (an operator's explicit "trust what it publishes now"), which pins the published keys.
   */
  async saveDescriptor(
    id: string,
    d: { signPublicKey: string; boxPublicKey: string; mechanisms: string[] },
    audit?: AuditEntry,
    pin = false,
  ): Promise<ProviderEntity | null> {
    const q = withAudit(
      `UPDATE providers SET
         sign_public_key = CASE WHEN keys_pinned AND NOT $5 THEN sign_public_key ELSE $2 END,
         box_public_key = CASE WHEN keys_pinned AND NOT $5 THEN box_public_key ELSE $3 END,
         keys_pinned = keys_pinned OR $5,
         mechanisms = $4, fetched_at = now()
       WHERE id = $1 RETURNING *`,
      [id, d.signPublicKey, d.boxPublicKey, d.mechanisms, pin],
      audit,
    );
    return this.db.entity(ProviderEntity, q.sql, q.params);
  }

  // ---- admin API ----

  /** A new provider (keys pinned when both are given), or null when the id is taken. */
  register(p: ProviderSeed, audit?: AuditEntry): Promise<ProviderEntity | null> {
    const pinned = !!(p.signPublicKey && p.boxPublicKey);
    const q = withAudit(
      `INSERT INTO providers (id, name, url, sign_public_key, box_public_key, keys_pinned)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [p.id, p.name, p.url, pinned ? p.signPublicKey : null, pinned ? p.boxPublicKey : null, pinned],
      audit,
    );
    return this.db.entity(ProviderEntity, q.sql, q.params);
  }

  /**
   * Changes name and/or URL; a new URL forgets when the descriptor was fetched, and fetched (not
   * pinned) keys, since they belonged to whatever answered at the old address. Null when absent.
   */
  update(id: string, patch: { name?: string; url?: string }, audit?: AuditEntry): Promise<ProviderEntity | null> {
    const q = withAudit(
      `UPDATE providers SET name = COALESCE($2, name), url = COALESCE($3, url),
         sign_public_key = CASE WHEN $3::text IS NOT NULL AND $3 <> url AND NOT keys_pinned THEN NULL ELSE sign_public_key END,
         box_public_key = CASE WHEN $3::text IS NOT NULL AND $3 <> url AND NOT keys_pinned THEN NULL ELSE box_public_key END,
         fetched_at = CASE WHEN $3::text IS NOT NULL AND $3 <> url THEN NULL ELSE fetched_at END
       WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.url ?? null],
      audit,
    );
    return this.db.entity(ProviderEntity, q.sql, q.params);
  }

  /** Pins both keys (they replace whatever was fetched or pinned); null when absent. */
  pinKeys(id: string, keys: { signPublicKey: string; boxPublicKey: string }, audit?: AuditEntry): Promise<ProviderEntity | null> {
    const q = withAudit(
      `UPDATE providers SET sign_public_key = $2, box_public_key = $3, keys_pinned = true WHERE id = $1 RETURNING *`,
      [id, keys.signPublicKey, keys.boxPublicKey],
      audit,
    );
    return this.db.entity(ProviderEntity, q.sql, q.params);
  }

  /** Drops pinned keys: the next need fetches them from the gateway. Null when absent. */
  unpinKeys(id: string, audit?: AuditEntry): Promise<ProviderEntity | null> {
    const q = withAudit(
      `UPDATE providers SET sign_public_key = NULL, box_public_key = NULL, keys_pinned = false, fetched_at = NULL
        WHERE id = $1 RETURNING *`,
      [id],
      audit,
    );
    return this.db.entity(ProviderEntity, q.sql, q.params);
  }
}
