import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';

/** The readiness probe's question to the database. */
@Injectable()
export class HealthRepository {
  constructor(private readonly db: Database) {}

  /** Resolves when the database answers a query (and the core's schema is there). */
  async ping(): Promise<void> {
    await this.db.rows(`SELECT 1 FROM core_migrations LIMIT 1`);
  }
}
