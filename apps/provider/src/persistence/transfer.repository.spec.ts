import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { gatewayDataSourceOptions } from './data-source.options';
import { RECORD_COLUMNS } from './transfer.repository';

describe('TransferRepository columns', () => {
  it('RECORD_COLUMNS names every column of gateway_transfers but manifest (a new column must be added to it)', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-gw-columns-'));
    const db = new DataSource(gatewayDataSourceOptions({ databaseUrl: null, stateDir }));
    try {
      await db.initialize(); // runs the migrations on embedded PGlite
      const rows = (await db.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'gateway_transfers' ORDER BY column_name`,
      )) as Array<{ column_name: string }>;
      const listed = RECORD_COLUMNS.split(',').map((c) => c.trim());
      expect(new Set(listed).size).toBe(listed.length);
      expect([...listed, 'manifest'].sort()).toEqual(rows.map((r) => r.column_name));
    } finally {
      if (db.isInitialized) await db.destroy();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
