import { spawnSync } from 'node:child_process';
import { GATEWAY_V8_FLAGS } from './gateway-v8-flags.util';

// the module object itself (a namespace import is a frozen copy that jest cannot spy on)
const v8 = require('node:v8') as typeof import('node:v8');

describe('V8 flags of a gateway process', () => {
  it('are flags this Node accepts (V8 names an unknown flag on stderr)', () => {
    expect(GATEWAY_V8_FLAGS).toContain('--heap-growing-percent=300');
    for (const flag of GATEWAY_V8_FLAGS) {
      const r = spawnSync(process.execPath, [flag, '-e', 'process.exit(0)'], { encoding: 'utf8' });
      expect({ flag, status: r.status, stderr: r.stderr }).toEqual({ flag, status: 0, stderr: '' });
    }
  });

  it('are applied once per process', () => {
    jest.isolateModules(() => {
      const setFlags = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
      try {
        const { applyGatewayV8Flags } = require('./gateway-v8-flags.util') as typeof import('./gateway-v8-flags.util');
        expect(applyGatewayV8Flags()).toBe(true);
        expect(applyGatewayV8Flags()).toBe(false);
        expect(setFlags.mock.calls.map((c) => c[0])).toEqual([...GATEWAY_V8_FLAGS]);
      } finally {
        setFlags.mockRestore();
      }
    });
  });
});
