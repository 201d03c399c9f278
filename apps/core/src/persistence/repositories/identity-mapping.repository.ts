import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';

@Injectable()
export class IdentityMappingRepository {
  constructor(private readonly db: Database) {}

  async upsert(userId: string, providerId: string, identity: string): Promise<void> {
    await this.db.rows(
      `INSERT INTO identity_mappings (user_id, provider_id, identity) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, provider_id) DO UPDATE SET identity = EXCLUDED.identity`,
      [userId, providerId, identity],
    );
  }

  /** The user's identity at a provider, or null when there is no mapping. */
  async find(userId: string, providerId: string): Promise<string | null> {
    const r = await this.db.rows<{ identity: string }>(
      `SELECT identity FROM identity_mappings WHERE user_id = $1 AND provider_id = $2`,
      [userId, providerId],
    );
    return r[0]?.identity ?? null;
  }
}
