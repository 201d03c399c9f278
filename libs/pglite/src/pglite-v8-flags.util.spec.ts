import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as NodeModule from 'node:module';
import { createPgliteDriver } from './pglite-driver.util';
import { PGLITE_V8_FLAGS } from './pglite-v8-flags.util';

// the same PGlite class the driver uses (Node's own loader, see pglite-driver.util.ts)
const builtinModule =
  (process as unknown as { getBuiltinModule?(id: string): typeof NodeModule }).getBuiltinModule?.('node:module') ??
  (require('node:module') as typeof NodeModule);
// the module object itself (a namespace import is a frozen copy that jest cannot spy on)
const v8 = require('node:v8') as typeof import('node:v8');
const { PGlite } = builtinModule.createRequire(__filename)('@electric-sql/pglite') as typeof import('@electric-sql/pglite');

describe('V8 flags for embedded PGlite', () => {
  it('are flags this Node accepts (V8 names an unknown flag on stderr)', () => {
    expect(PGLITE_V8_FLAGS).toContain('--liftoff-only');
    for (const flag of PGLITE_V8_FLAGS) {
      const r = spawnSync(process.execPath, [flag, '-e', 'process.exit(0)'], { encoding: 'utf8' });
      expect({ flag, status: r.status, stderr: r.stderr }).toEqual({ flag, status: 0, stderr: '' });
    }
  });

  it('are applied once, before PGlite compiles its module (the first PGlite.create)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-pglite-flags-'));
    const setFlags = jest.spyOn(v8, 'setFlagsFromString');
    const create = jest.spyOn(PGlite, 'create');
    try {
      const { Pool } = createPgliteDriver({ dataDir: path.join(root, 'pglite') });
      const pool = new Pool() as unknown as { query(sql: string): Promise<{ rows: unknown[] }>; end(cb: (e: unknown) => void): void };
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await new Promise((resolve, reject) => pool.end((e) => (e ? reject(e) : resolve(undefined))));
      // a second database in the same process does not set them again
      const second = new (createPgliteDriver({}).Pool)() as unknown as typeof pool;
      await second.query('select 1');
      await new Promise((resolve) => second.end(resolve));

      const flagCalls = setFlags.mock.calls.map((c) => c[0]);
      expect(flagCalls).toEqual([...PGLITE_V8_FLAGS]);
      expect(create).toHaveBeenCalled();
      expect(Math.max(...setFlags.mock.invocationCallOrder)).toBeLessThan(Math.min(...create.mock.invocationCallOrder));
    } finally {
      setFlags.mockRestore();
      create.mockRestore();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
