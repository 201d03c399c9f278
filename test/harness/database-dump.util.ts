/**
 * Dumps every row of every table in a PostgreSQL database as text (one JSON line per row), so a test
 * can search it for strings that must never be stored, whatever table or column they might hide in.
 */
export async function dumpPostgres(url: string): Promise<string> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = await c.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const lines: string[] = [];
    for (const t of tables.rows) {
      const rows = await c.query(`SELECT * FROM "${t.table_schema}"."${t.table_name}"`);
      for (const r of rows.rows) lines.push(`${t.table_schema}.${t.table_name}\t${JSON.stringify(r)}`);
    }
    return lines.join('\n');
  } finally {
    await c.end();
  }
}
