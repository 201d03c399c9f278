import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { createPgliteDriver } from '@ferry/pglite';

/**
 * The gateway's state is a few rows per transfer: 4 MB of shared buffers (512 pages) hold it, and
 * Postgres touches all of its shared memory at start, so every MB here is a MB of RSS
 * (docs/performance.md). Pages beyond it are read from the data folder through the OS page cache.
 */
const GATEWAY_POSTGRESQL_CONF = ['shared_buffers=4MB', 'wal_buffers=256kB', 'work_mem=2MB'];
import { CreateTransfers1763800000000 } from './migrations/1763800000000-create-transfers.migration';

/** Every migration, in order. Run at start-up; the schema is never synchronized from entities. */
export const GATEWAY_MIGRATIONS = [CreateTransfers1763800000000];

/**
 * PostgreSQL server when `databaseUrl` is set, else embedded PGlite in <stateDir>/pglite.
 * Both go through TypeORM's postgres dialect, so the SQL is the same.
 */
export function gatewayDataSourceOptions(db: { databaseUrl: string | null; stateDir: string }): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    uuidExtension: 'pgcrypto' as const,
    synchronize: false,
    migrationsRun: true,
    migrations: GATEWAY_MIGRATIONS,
    migrationsTableName: 'gateway_migrations',
    entities: [],
    logging: false,
  };
  if (db.databaseUrl) return { ...common, url: db.databaseUrl, poolSize: 5 };
  return { ...common, driver: createPgliteDriver({ dataDir: path.join(db.stateDir, 'pglite'), postgresqlconf: GATEWAY_POSTGRESQL_CONF }) };
}
