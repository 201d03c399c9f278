import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as NodeModule from 'node:module';
import type { PGlite as PGliteClass, PGliteOptions } from '@electric-sql/pglite';
import { prepareDataDir } from './pglite-template.util';

// PGlite loads its wasm runtime with dynamic import() of Node built-ins. Jest runs modules in a vm
// that refuses dynamic import without --experimental-vm-modules (and patches `module.createRequire`),
// so PGlite is loaded with Node's own require, taken from process.getBuiltinModule. In production
// this is the same as a plain import.
const builtinModule =
  (process as unknown as { getBuiltinModule?(id: string): typeof NodeModule }).getBuiltinModule?.('node:module') ??
  // Node < 20.16 has no getBuiltinModule; outside jest the plain require is Node's own anyway
  (require('node:module') as typeof NodeModule);
const nodeRequire = builtinModule.createRequire(__filename);
const { PGlite, types } = nodeRequire('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
/** the installed PGlite's version (its package.json is not exported: found next to its entry file) */
const PGLITE_VERSION = ((): string => {
  for (let dir = path.dirname(nodeRequire.resolve('@electric-sql/pglite')); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
  }
  return 'unknown';
})();

/**
 * The gateway's own state is a few rows per transfer: PGlite's default 128 MB of shared buffers
 * made up most of an idle gateway's ~300 MB RSS; 16 MB gives ~170 MB (docs/performance.md).
 */
const GATEWAY_POSTGRESQL_CONF = ['shared_buffers=16MB', 'wal_buffers=1MB', 'work_mem=2MB'];

/**
 * A TypeORM `driver` (the shape of the `pg` module: `{ Pool }`) backed by one embedded PGlite
 * database per DataSource.
 *
 * Why not typeorm-pglite's PGliteDriver as is: it keeps ONE process-wide PGlite instance
 * (a static singleton whose options the last constructor overwrites), so a core and two gateways
 * started in one process (tests, the demo) would silently share a database, and closing one would
 * close the others. This is the same adapter with the instance owned by the driver object.
 * Like typeorm-pglite, booleans are serialized as TRUE/FALSE literals.
 *
 * PGlite has a single connection: every "client" handed out is the pool itself, so callers must not
 * rely on concurrent transactions (the gateway's repository uses single atomic statements).
 */
export function createPgliteDriver(options: PGliteOptions): { Pool: new () => EventEmitter } {
  let instance: Promise<PGliteClass> | null = null;
  const getInstance = () => {
    instance ??= (async () => {
      if (options.dataDir) await prepareDataDir(options.dataDir, (o) => PGlite.create(o), PGLITE_VERSION);
      return PGlite.create({
        postgresqlconf: GATEWAY_POSTGRESQL_CONF,
        ...options,
        serializers: { [types.BOOL]: serializeBool, ...(options.serializers ?? {}) },
      });
    })();
    return instance;
  };

  class IsolatedPglitePool extends EventEmitter {
    async connect(callback: (err: unknown, client: IsolatedPglitePool | null, done: () => void) => void) {
      try {
        await getInstance();
        callback(null, this, () => undefined);
      } catch (e) {
        callback(e, null, () => undefined);
      }
    }

    async query(sql: string, params?: unknown[] | ((...a: unknown[]) => void), cb?: (err: unknown, res: unknown) => void) {
      if (typeof params === 'function') {
        cb = params as typeof cb;
        params = undefined;
      }
      const db = await getInstance();
      try {
        // exec() runs multi-statement SQL (migrations); TypeORM wants the last statement's result
        const res =
          Array.isArray(params) && params.length > 0
            ? await db.query(sql, params)
            : await db.exec(sql).then((all) => all[all.length - 1] ?? { rows: [], fields: [] });
        cb?.(null, res);
        return res;
      } catch (e) {
        cb?.(e, null);
        throw e;
      }
    }

    end(done: (err: unknown) => void) {
      const closing = instance;
      instance = null;
      if (!closing) return done(null);
      closing
        .then((db) => db.close())
        .then(() => done(null))
        .catch((e) => done(e));
    }
  }
  return { Pool: IsolatedPglitePool };
}

function serializeBool(val: unknown): string {
  if (val === true || val === 'true' || val === 1) return 'TRUE';
  if (val === false || val === 'false' || val === 0) return 'FALSE';
  return String(val);
}
