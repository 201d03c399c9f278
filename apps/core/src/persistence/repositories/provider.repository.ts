import { Injectable } from '@nestjs/common';
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

  /** Caches what the gateway's descriptor said; pinned keys are never overwritten. */
  async saveDescriptor(id: string, d: { signPublicKey: string; boxPublicKey: string; mechanisms: string[] }): Promise<ProviderEntity | null> {
    return this.db.entity(
      ProviderEntity,
      `UPDATE providers SET
         sign_public_key = CASE WHEN keys_pinned THEN sign_public_key ELSE $2 END,
         box_public_key = CASE WHEN keys_pinned THEN box_public_key ELSE $3 END,
         mechanisms = $4, fetched_at = now()
       WHERE id = $1 RETURNING *`,
      [id, d.signPublicKey, d.boxPublicKey, d.mechanisms],
    );
  }
}
