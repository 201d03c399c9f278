import * as fs from 'node:fs';
import * as path from 'node:path';
import { startPostgres } from './postgres-server';

/**
 * One real PostgreSQL server for the whole run. Test files create their own databases on it
 * (createDatabase) so they stay independent. Its URL reaches test files through
 * FERRY_TEST_PG_URL (workers inherit the environment) and test/.tmp/pg.json.
 */
export default async function globalSetup(): Promise<void> {
  const pg = await startPostgres();
  process.env.FERRY_TEST_PG_URL = pg.url;
  (globalThis as Record<string, unknown>).__FERRY_PG__ = pg;
  const dir = path.join(__dirname, '..', '.tmp');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'pg.json'), JSON.stringify({ url: pg.url, port: pg.port, dataDir: pg.dataDir }));
}
