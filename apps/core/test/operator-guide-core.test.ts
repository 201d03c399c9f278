import * as fs from 'node:fs';
import * as path from 'node:path';
import { coreEnvSchema, loadCoreConfig } from '../src';

/** docs/operator-guide.md's core environment reference must list exactly the variables the core reads, with their defaults. */
describe('docs/operator-guide.md: Running the core', () => {
  const guide = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'operator-guide.md'), 'utf8');
  const start = guide.indexOf('### Environment reference', guide.indexOf('## Running the core'));
  const section = guide.slice(start, guide.indexOf('\n### ', start + 1));
  const rows = new Map([...section.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]));
  const variables = Object.keys(coreEnvSchema.shape);

  it('has the section, after the gateway’s', () => {
    expect(guide.indexOf('## Running the core')).toBeGreaterThan(guide.indexOf('## Provider gateway'));
    expect(start).toBeGreaterThan(0);
  });

  it('documents every variable of the schema and no other', () => {
    expect([...rows.keys()].sort()).toEqual([...variables].sort());
  });

  it.each(variables)('states the default of %s as the schema has it', (name) => {
    const documented = rows.get(name)!;
    const shape = coreEnvSchema.shape as Record<string, { _def: { typeName: string; defaultValue?: () => unknown } }>;
    const def = shape[name]._def;
    if (def.typeName === 'ZodDefault') expect(documented).toBe(String(def.defaultValue!()));
    else expect(documented).toMatch(/^\(none\)$|^`<dataDir>/);
  });

  it('matches the loaded defaults (paths and all)', () => {
    const c = loadCoreConfig({}, '/srv');
    expect(rows.get('FERRY_DATA_DIR')).toBe('./.ferry/core');
    expect(c.dataDir).toBe('/srv/.ferry/core');
    expect(c.rateLimitPerMinute).toBe(Number(rows.get('FERRY_RATE_LIMIT_PER_MINUTE')));
  });
});
