import fc from 'fast-check';

/**
 * Generated requests for an HTTP app: which route, what goes in its path parameters and query
 * string, which credentials, which headers, which body. A plan is data; the test turns it into bytes
 * (and signs it when the plan says so) right before sending.
 */
export type AuthChoice = 'none' | 'user' | 'admin' | 'other-user' | 'garbage' | 'empty' | 'basic' | 'lowercase' | 'huge' | 'unicode';
export type SignatureChoice = 'none' | 'valid' | 'garbage' | 'stale' | 'other-key' | 'unknown-key-id' | 'body-changed';

export interface Route {
  method: string;
  path: string;
}

export interface RequestPlan {
  route: Route;
  method: string;
  /** [mixed value, garbage-only value] for each :param; the test picks (see safeParams) */
  params: Array<[string, string]>;
  query: string;
  auth: AuthChoice;
  signature: SignatureChoice;
  contentType: string | null;
  headers: Array<[string, string]>;
  body: BodyPlan;
}

export type BodyPlan =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'mutated'; index: number; replacement: unknown }
  | { kind: 'nul'; index: number; text: string }
  | { kind: 'raw'; text: string }
  | { kind: 'huge' };

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Strings that make paths, queries and fields interesting. */
const NASTY = [
  '',
  '.',
  '..',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f',
  '%00',
  '%',
  '%ZZ',
  '%C0%AE%C0%AE',
  '\\..\\..\\windows',
  '/absolute',
  '~root',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999999',
  '9007199254740993',
  'NaN',
  'Infinity',
  'true',
  '[]',
  '{}',
  "' OR 1=1 --",
  '"; DROP TABLE tasks; --',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\u202e\u0000\u0007',
  'Grüße 数据 🚢',
  'e\u0301',
  'a'.repeat(300),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const nasty = fc.constantFrom(...NASTY);
const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** Percent-encodes everything outside unreserved characters, or (sometimes) leaves the odd raw % in. */
const encoded = (s: string) => encodeURIComponent(s).replace(/'/g, '%27');
const pathValue = fc.oneof(
  { weight: 4, arbitrary: text.map(encoded) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '%00', '%2f', '..', '.', 'a%2F..%2F..', '%E0%A4%A') },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string({ minLength: 5000, maxLength: 9000 }).map(encoded) },
);

/** Values a route parameter may take: the fixture's ids and known names too, or garbage only. */
export function paramArbitrary(known: string[]): fc.Arbitrary<[string, string]> {
  return fc.tuple(fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...known.map(encoded)) }, { weight: 3, arbitrary: pathValue }), pathValue);
}

const QUERY_KEYS = ['state', 'kind', 'limit', 'cursor', 'path', 'access_token', 'role', 'user', 'provider', 'action', 'actor', 'task', 'since', 'before', 'drive', 'q'];
const queryArbitrary = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), text), fc.oneof(text, fc.integer().map(String), fc.constantFrom('RUNNING', 'RUNNING,PAUSED', 'transfer', 'tunnel', '500', '501', '0'))), {
    maxLength: 6,
  })
  .chain((pairs) =>
    fc.constantFrom(
      pairs.length ? `?${pairs.map(([k, v]) => `${encoded(k)}=${encoded(v)}`).join('&')}` : '',
      pairs.length ? `?${pairs.map(([k, v]) => `${encoded(k)}[]=${encoded(v)}`).join('&')}` : '?',
      `?limit=1e309&limit=-5&state=&state=&cursor=${encoded('{"t":"x"}')}`,
      '?%',
      '?a=%ZZ&b',
    ),
  );

/** Header values a server must survive: printable ASCII, obs-text, very long. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n\0]/g, ' ')),
  fc.constantFrom('', ' ', 'x'.repeat(6000), '\u00ff\u00fe', 'application/json', '-1', '1e309', 'Bearer', 'null'),
);
const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
const CONTENT_TYPES = [
  null,
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'application/json, text/plain',
];

/** JSON that is not what any endpoint wants (or is, but broken in one place). */
const RAW_BODIES = [
  '{',
  '{"a":',
  '[1,2',
  'nul',
  '\u0000',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  "{'a':1}",
  '{"a":1,}',
  '{"__proto__":{"admin":true},"constructor":{"prototype":{"polluted":1}}}',
  '{"limit":1e309,"seq":123456789012345678901234567890}',
  '['.repeat(3000) + ']'.repeat(3000),
  '{"a":'.repeat(500) + '1' + '}'.repeat(500),
  JSON.stringify({ s: 'x'.repeat(200_000) }),
  '"just a string"',
  '12345678901234567890123',
  'true',
  'null',
];

export function bodyArbitrary(hasTemplate: boolean): fc.Arbitrary<BodyPlan> {
  const arbs: Array<fc.WeightedArbitrary<BodyPlan>> = [
    { weight: 10, arbitrary: fc.constant<BodyPlan>({ kind: 'empty' }) },
    { weight: 30, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): BodyPlan => ({ kind: 'json', value })) },
    {
      weight: 20,
      arbitrary: fc.oneof(fc.constantFrom(...RAW_BODIES), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })).map(
        (t): BodyPlan => ({ kind: 'raw', text: t }),
      ),
    },
    // over the body limit (rarely: each is more than a megabyte)
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'huge' }) },
  ];
  if (hasTemplate) {
    arbs.push({
      weight: 50,
      arbitrary: fc.record({ index: fc.nat(), replacement: wrongValue }).map((r): BodyPlan => ({ kind: 'mutated', ...r })),
    });
    // the right type but with NUL inside (PostgreSQL cannot store or compare it)
    arbs.push({ weight: 15, arbitrary: fc.record({ index: fc.nat(), text }).map((r): BodyPlan => ({ kind: 'nul', ...r })) });
  }
  return fc.oneof(...arbs);
}

/** A value of some JSON type (never null: nullable fields would accept it). */
const wrongValue = fc.oneof(
  fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, 0.5, -0.0001),
  fc.integer(),
  fc.boolean(),
  text,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(text, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * The template with one field (picked by `index`) replaced by a value of another JSON type: an
 * endpoint's schema must refuse it, whichever field it is.
 */
export function mutate(template: unknown, index: number, replacement: unknown): unknown {
  return replaceLeaf(template, index, (original) => (jsonType(replacement) === jsonType(original) ? wrongTypeFor(original) : replacement));
}

/** The template with one field (picked by `index`) replaced by a string holding NUL. */
export function withNul(template: unknown, index: number, text: string): unknown {
  return replaceLeaf(template, index, () => `${text}\u0000${text}`);
}

function replaceLeaf(template: unknown, index: number, by: (original: unknown) => unknown): unknown {
  const paths: Array<Array<string | number>> = [];
  const walk = (v: unknown, at: Array<string | number>) => {
    if (at.length) paths.push(at);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...at, Array.isArray(v) ? Number(k) : k]);
  };
  walk(template, []);
  const copy = JSON.parse(JSON.stringify(template));
  if (paths.length === 0) return by(template);
  const at = paths[index % paths.length];
  let parent = copy;
  for (const k of at.slice(0, -1)) parent = parent[k];
  parent[at[at.length - 1]] = by(parent[at[at.length - 1]]);
  return copy;
}

function wrongTypeFor(v: unknown): unknown {
  switch (jsonType(v)) {
    case 'string':
      return 12345;
    case 'number':
      return 'not a number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    default:
      return ['not', 'an', 'object'];
  }
}

export interface AppShape {
  routes: Route[];
  /** path parameter values that name real things (the fixture transfer, users, drives...) */
  known: string[];
  templates: (route: Route) => unknown | undefined;
  auths: AuthChoice[];
  signatures: SignatureChoice[];
}

export function planArbitrary(app: AppShape): fc.Arbitrary<RequestPlan> {
  return fc.constantFrom(...app.routes).chain((route) => {
    const paramCount = (route.path.match(/:[A-Za-z]+/g) ?? []).length;
    return fc.record({
      route: fc.constant(route),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      params: fc.array(paramArbitrary(app.known), { minLength: paramCount, maxLength: paramCount }),
      query: fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryArbitrary }),
      auth: fc.constantFrom(...app.auths),
      signature: fc.constantFrom(...app.signatures),
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
      headers: fc.array(
        fc.oneof(
          fc.tuple(fc.constantFrom('x-request-id', 'x-forwarded-for', 'accept', 'accept-encoding', 'origin', 'if-none-match', 'last-event-id', 'range', 'expect'), headerValue),
          fc.tuple(headerName, headerValue),
        ),
        { maxLength: 4 },
      ),
      body: bodyArbitrary(app.templates(route) !== undefined),
    });
  });
}
