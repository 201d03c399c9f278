import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// the module object itself (a namespace import is a frozen copy that jest cannot spy on)
const v8 = require('node:v8') as typeof import('node:v8');

describe('gateway V8 heap settings (v8-memory.bootstrap)', () => {
  it('sets its flags when imported', () => {
    const setFlags = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    try {
      let flags: readonly string[] = [];
      jest.isolateModules(() => {
        flags = (require('./v8-memory.bootstrap') as typeof import('./v8-memory.bootstrap')).GATEWAY_V8_HEAP_FLAGS;
      });
      expect(flags).toContain('--semi-space-growth-factor=1');
      expect(setFlags.mock.calls.map((c) => c[0])).toEqual([...flags]);
    } finally {
      setFlags.mockRestore();
    }
  });

  it('uses flags this Node accepts (V8 names an unknown flag on stderr)', () => {
    const { GATEWAY_V8_HEAP_FLAGS } = jest.requireActual<typeof import('./v8-memory.bootstrap')>('./v8-memory.bootstrap');
    for (const flag of GATEWAY_V8_HEAP_FLAGS) {
      const r = spawnSync(process.execPath, [flag, '-e', 'process.exit(0)'], { encoding: 'utf8' });
      expect({ flag, status: r.status, stderr: r.stderr }).toEqual({ flag, status: 0, stderr: '' });
    }
  });

  it('is the first thing main.ts imports (before Nest, TypeORM and PGlite allocate)', () => {
    const main = fs.readFileSync(path.join(__dirname, 'main.ts'), 'utf8');
    const firstImport = main.split('\n').find((l) => l.startsWith('import '));
    expect(firstImport).toMatch(/^import '\.\/v8-memory\.bootstrap';/);
  });
});
