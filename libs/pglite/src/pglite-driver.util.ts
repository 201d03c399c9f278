import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as NodeModule from 'node:module';
import type { PGlite as PGliteInstance, PGliteOptions } from '@electric-sql/pglite';
import { prepareDataDir } from './pglite-template.util';
import { applyPgliteV8Flags } from './pglite-v8-flags.util';

// PGlite loads its wasm runtime with dynamic import(). Jest's module sandbox refuses dynamic import
// without --experimental-vm-modules, so PGlite is required through Node's own loader (taken from
// process.getBuiltinModule, which jest does not patch). Outside jest this is a plain require, which
// is also the fallback on Node < 20.16 (no getBuiltinModule).
const builtinModule =
  (process as unknown as { getBuiltinModule?(id: string): typeof NodeModule }).getBuiltinModule?.('node:module') ??
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
 * PGlite's default 128 MB of shared buffers dominated an idle process's RSS; each app passes its own
 * smaller `postgresqlconf` (core: 32 MB, gateway: 4 MB; docs/performance.md). V8 flags for the wasm
 * module: pglite-v8-flags.util.ts.
 */
type Callback = (err: unknown, result: unknown) => void;

/**
 * A TypeORM `driver` (shaped like the `pg` module: `{ Pool }`) over one embedded PGlite database.
 *
 * Same adapter idea as typeorm-pglite's PGliteDriver, with two differences that matter here:
 * typeorm-pglite keeps one process-wide PGlite instance whose options the last constructor
 * overwrites (a core and gateways in one process, as in tests and the demo, would share one
 * database), and it imports PGlite in a way jest cannot load. Booleans are sent as TRUE/FALSE
 * literals, as typeorm-pglite does.
 *
 * PGlite has one connection: every client handed out is the pool itself, so the core never relies
 * on concurrent transactions (repositories write with single statements).
 */
export function createPgliteDriver(options: PGliteOptions): { Pool: new () => EventEmitter } {
  let db: Promise<PGliteInstance> | null = null;
  const instance = () =>
    (db ??= (async () => {
      // before the first PGlite.create compiles the wasm module (a template's initdb included)
      applyPgliteV8Flags();
      if (options.dataDir) await prepareDataDir(options.dataDir, (o) => PGlite.create(o), PGLITE_VERSION);
      return PGlite.create({
        ...options,
        serializers: { [types.BOOL]: boolLiteral, ...(options.serializers ?? {}) },
      });
    })());

  class PglitePool extends EventEmitter {
    async connect(cb: (err: unknown, client: PglitePool | null, release: () => void) => void): Promise<void> {
      try {
        await instance();
        cb(null, this, () => undefined);
      } catch (e) {
        cb(e, null, () => undefined);
      }
    }

    async query(sql: string, params?: unknown[] | Callback, cb?: Callback): Promise<unknown> {
      if (typeof params === 'function') [cb, params] = [params, undefined];
      try {
        const pg = await instance();
        // without parameters, exec() runs multi-statement SQL; TypeORM wants the last result
        const res = Array.isArray(params) && params.length > 0
          ? await pg.query(sql, params)
          : await pg.exec(sql).then((all) => all[all.length - 1] ?? { rows: [], fields: [] });
        cb?.(null, res);
        return res;
      } catch (e) {
        cb?.(e, null);
        throw e;
      }
    }

    end(done: (err: unknown) => void): void {
      const closing = db;
      db = null;
      if (!closing) return done(null);
      closing.then((pg) => pg.close()).then(() => done(null), done);
    }
  }
  return { Pool: PglitePool };
}

function boolLiteral(v: unknown): string {
  if (v === true || v === 'true' || v === 1) return 'TRUE';
  if (v === false || v === 'false' || v === 0) return 'FALSE';
  return String(v);
}
