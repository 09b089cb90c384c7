/**
 * fast-check arbitraries derived from an op's JSON Schema: a mix of values that
 * satisfy the schema and near-misses (wrong types, out-of-range numbers,
 * hostile strings, extra keys). The schema's own Check is the oracle.
 */
import fc from 'fast-check';

type Json = { [k: string]: unknown };

/** Strings that tend to satisfy or nearly satisfy rootd's patterns, plus hostile ones. */
export const STRING_POOL = [
  'myapp', 'app-1', 'a', 'x'.repeat(63), 'x'.repeat(64), 'App', '-app', 'app-',
  'data', 'data/cache', 'static', './data', 'data/', '../etc', '/etc/passwd', 'a/../../b', 'x\u0000y', '..',
  'tcp', 'udp', 'sctp', 'any', '10.0.0.0/8', '192.168.1.0/24', '1.2.3.4/32', '0.0.0.0/0', '10.0.0.1/8', '300.1.1.1/32',
  'example.com', 'www.example.com', 'app.example.org', 'api', 'web', '/static', '/api/v1', 'EXAMPLE.com', 'exa_mple.com', 'example.com.', 'admin', '/admin', '/admin/', '/a b', '/x;y',
  'fw-0123456789abcdef', 'fw-xyz', 'cert1', 'my-cert.2024', '../cert', '/srv/shared', '/srv/shared/data', '/', '/tmp', 'hop3', '', ' ', '\n', '}', '"', "'", '$(id)', '`id`',
];

function satisfies(schema: Json, v: string): boolean {
  if (typeof schema['minLength'] === 'number' && v.length < schema['minLength']) return false;
  if (typeof schema['maxLength'] === 'number' && v.length > schema['maxLength']) return false;
  if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(v)) return false;
  return true;
}

export function arbitraryFor(schema: Json, depth = 0): fc.Arbitrary<unknown> {
  const nearMiss = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}));
  if (depth > 5) return nearMiss;
  if ('const' in schema) return fc.oneof({ weight: 8, arbitrary: fc.constant(schema['const']) }, { weight: 1, arbitrary: nearMiss });
  if (Array.isArray(schema['anyOf'])) return fc.oneof(...(schema['anyOf'] as Json[]).map((s) => arbitraryFor(s, depth + 1)));
  const withMiss = (a: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 9, arbitrary: a }, { weight: 1, arbitrary: nearMiss });
  switch (schema['type']) {
    case 'string': {
      const max = typeof schema['maxLength'] === 'number' ? Math.min(schema['maxLength'], 80) : 40;
      const anyString = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...STRING_POOL) }, { weight: 1, arbitrary: fc.string({ maxLength: max }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) });
      // Bias towards pool entries that satisfy this string's own constraints, so that
      // objects with many fields still reach the valid space often enough.
      const fits = STRING_POOL.filter((v) => satisfies(schema, v));
      if (fits.length === 0) return withMiss(anyString);
      return withMiss(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fits) }, { weight: 1, arbitrary: anyString }));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -1000;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : 100000;
      const edges = fc.constantFrom(min, max, min - 1, max + 1, 0, 22, 80, 443, 8080);
      const inner = schema['type'] === 'integer'
        ? fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), edges, fc.constant(1.5))
        : fc.oneof(fc.double({ min, max, noNaN: true }), edges);
      const step = typeof schema['multipleOf'] === 'number' ? schema['multipleOf'] : undefined;
      if (step === undefined) return withMiss(inner);
      // Reach the valid space of a multipleOf schema too (e.g. mount.tmpfs size_bytes, multiples of 4096).
      const multiples = fc.integer({ min: Math.ceil(min / step), max: Math.floor(Math.min(max, 2 ** 40) / step) }).map((k) => k * step);
      return withMiss(fc.oneof(multiples, inner));
    }
    case 'boolean':
      return withMiss(fc.boolean());
    case 'array': {
      const items = (schema['items'] as Json | undefined) ?? {};
      const maxItems = typeof schema['maxItems'] === 'number' ? Math.min(schema['maxItems'] + 1, 4) : 4;
      return withMiss(fc.array(arbitraryFor(items, depth + 1), { maxLength: maxItems }));
    }
    case 'object': {
      const props = (schema['properties'] as Record<string, Json> | undefined) ?? {};
      const required = new Set((schema['required'] as string[] | undefined) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = arbitraryFor(v, depth + 1);
      const keys = Object.keys(props);
      const rec = fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) });
      const withExtra = fc.tuple(rec, fc.constantFrom('extra', '__proto__', 'constructor', 'app2'), fc.jsonValue()).map(([r, k, v]) => {
        const o: Record<string, unknown> = { ...(r as object) };
        Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
        return o;
      });
      return fc.oneof({ weight: 8, arbitrary: rec }, { weight: 1, arbitrary: withExtra }, { weight: 1, arbitrary: nearMiss });
    }
    default:
      return fc.jsonValue();
  }
}
