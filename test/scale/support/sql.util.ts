/** One query against a PostgreSQL database by URL (a fresh connection each time: tests only). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * A fingerprint of every row of every table (md5 over the rows in a stable order), so a test can
 * assert that a burst of requests wrote nothing. `ignore` names tables whose rows may legitimately
 * change (e.g. used_nonces for signed calls that were accepted).
 */
export async function databaseFingerprint(url: string, ignore: string[] = []): Promise<Record<string, string>> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const tables = await c.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables.rows) {
      if (ignore.includes(name)) continue;
      const r = await c.query<{ n: string; h: string | null }>(
        `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${name}" t`,
      );
      out[name] = `${r.rows[0].n}:${r.rows[0].h ?? '-'}`;
    }
    return out;
  } finally {
    await c.end();
  }
}
