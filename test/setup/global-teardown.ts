import type { RunningPostgres } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as Record<string, unknown>).__FERRY_PG__ as RunningPostgres | undefined;
  if (pg) await pg.stop();
}
