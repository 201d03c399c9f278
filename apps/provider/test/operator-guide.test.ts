import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { gatewayConfigSchema } from '../src';

/** The configuration reference in docs/operator-guide.md must name every key the schema accepts. */
describe('docs/operator-guide.md', () => {
  const guide = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'operator-guide.md'), 'utf8');
  const start = guide.indexOf('### Configuration reference');
  const reference = guide.slice(start, guide.indexOf('\n### ', start + 1));

  /** The object schema inside defaults, refinements, arrays and optionals. */
  function objectIn(s: z.ZodTypeAny): z.AnyZodObject | null {
    if (s instanceof z.ZodObject) return s;
    if (s instanceof z.ZodDefault) return objectIn(s._def.innerType);
    if (s instanceof z.ZodEffects) return objectIn(s._def.schema);
    if (s instanceof z.ZodArray) return objectIn(s._def.type);
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return objectIn(s._def.innerType);
    return null;
  }

  const topLevel = Object.keys(gatewayConfigSchema.shape);

  it('has a configuration reference', () => {
    expect(start).toBeGreaterThan(0);
    expect(topLevel.length).toBeGreaterThan(10);
  });

  it.each(topLevel)('documents the top-level key %s in the reference table', (key) => {
    expect(reference).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
  });

  const nested = topLevel.flatMap((key) => {
    const schema = gatewayConfigSchema.shape[key as keyof typeof gatewayConfigSchema.shape] as z.ZodTypeAny;
    const inner = objectIn(schema);
    const unwrapped = schema instanceof z.ZodDefault ? (schema._def.innerType as z.ZodTypeAny) : schema;
    const suffix = unwrapped instanceof z.ZodArray ? '[]' : '';
    return inner ? Object.keys(inner.shape).map((k) => `${key}${suffix}.${k}`) : [];
  });

  it.each(nested)('documents the nested key %s', (key) => {
    expect(reference).toContain(`\`${key}\``);
  });
});
