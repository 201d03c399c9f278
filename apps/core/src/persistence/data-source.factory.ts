import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { CoreConfig } from '../config/core-config';
import { CORE_ENTITIES } from './entities';
import { CORE_MIGRATIONS } from './migrations';
import { createPgliteDriver } from '@ferry/pglite';

/** 32 MB of shared buffers: plenty for the embedded core (small sites, the demo); larger sites use DATABASE_URL. */
const CORE_POSTGRESQL_CONF = ['shared_buffers=32MB', 'wal_buffers=1MB', 'work_mem=4MB'];
import { NestTypeOrmLogger } from './typeorm-logger';

/**
 * TypeORM options for the core: a PostgreSQL server when DATABASE_URL is set, otherwise embedded
 * PGlite in <dataDir>/pglite. Same entities and the same hand-written migrations for both, run at
 * start; never synchronize.
 *
 * PGlite is one connection (see libs/pglite), so the repositories avoid multi-statement
 * transactions at run time: every write is one statement
 * (data-modifying CTEs where two tables change together), which is atomic on both databases.
 */
export function dataSourceOptions(config: CoreConfig): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: CORE_ENTITIES,
    migrations: CORE_MIGRATIONS,
    migrationsRun: true,
    migrationsTableName: 'core_migrations',
    synchronize: false,
    uuidExtension: 'pgcrypto' as const,
    logger: new NestTypeOrmLogger(),
    maxQueryExecutionTime: 2000,
  };
  if (config.databaseUrl) {
    return { ...common, url: config.databaseUrl, extra: { max: 10 } };
  }
  const dir = path.join(config.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  return { ...common, driver: createPgliteDriver({ dataDir: dir, postgresqlconf: CORE_POSTGRESQL_CONF }) };
}
