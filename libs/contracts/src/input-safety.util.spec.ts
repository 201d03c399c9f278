import { findUnsafeInput, MAX_INPUT_DEPTH } from './input-safety.util';

describe('findUnsafeInput', () => {
  it('accepts ordinary bodies', () => {
    expect(findUnsafeInput({ source: { driveId: 'a', path: '/x/y' }, tags: ['a', 'b'], n: 3 })).toBeNull();
    expect(findUnsafeInput(null)).toBeNull();
    expect(findUnsafeInput('plain')).toBeNull();
  });

  it('names a NUL under a `path` key a bad path, elsewhere a NUL', () => {
    expect(findUnsafeInput({ destination: { path: 'a\0b' } })).toBe('path');
    expect(findUnsafeInput({ paths: { path: ['ok', 'x\0'] } })).toBe('path'); // array items keep their key
    expect(findUnsafeInput({ name: 'a\0' })).toBe('nul');
    expect(findUnsafeInput({ ['k\0']: 1 })).toBe('nul');
  });

  it('refuses nesting at the limit without recursing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeInput(deep)).toBe('deep');
    let atLimit: unknown = 'leaf';
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) atLimit = { a: atLimit };
    expect(findUnsafeInput(atLimit)).toBeNull();
    expect(findUnsafeInput({ a: atLimit })).toBe('deep');
    expect(findUnsafeInput({ a: { b: 1 } }, 1)).toBe('deep');
  });
});
