/**
 * Property tests for the env resolver: idempotence across redeploys,
 * entropy of generated secrets, and independence from key order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { EnvConfig, EnvValue, GenerateKind } from '../../shared-protocol/config/env-model.ts';
import { PASSWORD_ALPHABET } from '../../shared-protocol/config/resolve-env-generate.ts';
import { resolveEnv } from '../../shared-protocol/config/resolve-env.ts';
import { APP, PG, REDIS, countingBytes } from './resolve-env-helpers.ts';

const RUNS = 300;
const ADDONS = [PG, REDIS];
const VAR_POOL = ['A', 'B', 'C', 'D', 'E', 'F', 'PGHOST', 'REDIS_URL', 'DEBUG'];
const ADDON_KEYS = [...Object.keys(PG.vars), ...Object.keys(REDIS.vars)];

const literal = fc.stringMatching(/^[a-z0-9/:@.-]{0,6}$/);
const kind = fc.constantFrom<GenerateKind>('hex', 'base64', 'urlsafe', 'password', 'uuid');

const generateValue: fc.Arbitrary<EnvValue> = fc.record({
  generate: kind,
  length: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  prefix: fc.option(literal, { nil: undefined }),
  display: fc.boolean(),
}).map(({ generate, length, prefix, display }) => ({
  kind: 'generate' as const, generate, display,
  ...(length !== undefined ? { length } : {}),
  ...(prefix !== undefined ? { prefix } : {}),
}));

const deterministicValue: fc.Arbitrary<EnvValue> = fc.oneof(
  literal.map((value) => ({ kind: 'static' as const, value })),
  fc.constantFrom(...Object.keys(PG.vars)).map((key) => ({ kind: 'ref' as const, from: PG.name, key })),
  fc.constantFrom(...Object.keys(REDIS.vars)).map((key) => ({ kind: 'ref' as const, from: REDIS.name, key })),
  fc.constantFrom('domain', 'hostname', 'name').map((key) => ({ kind: 'ref' as const, key })),
);

/** Acyclic computed templates: C<i> may reference vars, addon keys and C<j> for j < i. */
function computedArb(varKeys: readonly string[]): fc.Arbitrary<Record<string, string>> {
  return fc.integer({ min: 0, max: 5 }).chain((n) => {
    const templates = Array.from({ length: n }, (_, i) => {
      const refs = [...varKeys, ...ADDON_KEYS, ...Array.from({ length: i }, (_, j) => `C${j}`)];
      const part = fc.oneof(literal, fc.constant('$$'), fc.constantFrom(...refs).map((r) => `\${${r}}`));
      return fc.array(part, { maxLength: 5 }).map((ps) => ps.join(''));
    });
    return fc.tuple(...templates).map((ts) => Object.fromEntries(ts.map((t, i) => [`C${i}`, t])));
  });
}

function configArb(valueArb: fc.Arbitrary<EnvValue>): fc.Arbitrary<EnvConfig> {
  return fc.dictionary(fc.constantFrom(...VAR_POOL), valueArb, { maxKeys: 7 }).chain((vars) =>
    fc.record({
      policy: fc.constantFrom<'keep' | 'override'>('keep', 'override'),
      vars: fc.constant(vars),
      computed: computedArb(Object.keys(vars)),
    }));
}

const existingArb = fc.dictionary(fc.constantFrom(...VAR_POOL, 'PGPASSWORD', 'OTHER'), literal, { maxKeys: 5 });

describe('resolveEnv properties', () => {
  it('generates nothing new and changes nothing when resolving again with the persisted env', () => {
    fc.assert(fc.property(configArb(fc.oneof(generateValue, deterministicValue)), existingArb, (config, existing) => {
      const addons = ADDONS;
      const first = resolveEnv(config, addons, APP, existing, { randomBytes: countingBytes().fn });
      const second = countingBytes();
      const again = resolveEnv(config, addons, APP, first.env, { randomBytes: second.fn });
      assert.deepEqual(again.generated, []);
      assert.deepEqual(again.displayOnce, {});
      assert.deepEqual(second.requests, [], 'no randomness drawn on redeploy');
      assert.deepEqual(again.env, first.env);
      for (const k of first.generated) assert.equal(again.sources[k], 'existing');
    }), { numRuns: RUNS });
  });

  it('gives hex, base64 and urlsafe secrets exactly the requested bytes of entropy', () => {
    fc.assert(fc.property(fc.constantFrom('hex', 'base64', 'urlsafe') as fc.Arbitrary<'hex' | 'base64' | 'urlsafe'>,
      fc.integer({ min: 1, max: 256 }), literal, fc.uint8Array({ minLength: 256, maxLength: 256 }), (generate, length, prefix, pool) => {
        const requested: number[] = [];
        const fn = (n: number) => { requested.push(n); return pool.slice(0, n); };
        const r = resolveEnv({ policy: 'keep', vars: { S: { kind: 'generate', generate, length, prefix, display: false } }, computed: {} }, [], APP, {}, { randomBytes: fn });
        const value = r.env['S'] ?? '';
        assert.ok(value.startsWith(prefix));
        const body = value.slice(prefix.length);
        const decoded = Buffer.from(body, generate === 'hex' ? 'hex' : generate === 'base64' ? 'base64' : 'base64url');
        assert.deepEqual(requested, [length]);
        assert.equal(decoded.length, length);
        assert.deepEqual(new Uint8Array(decoded), pool.slice(0, length));
        assert.equal(decoded.toString(generate === 'hex' ? 'hex' : generate === 'base64' ? 'base64' : 'base64url'), body, 'canonical encoding');
      }), { numRuns: RUNS });
  });

  it('gives passwords exactly the requested length drawn only from the unambiguous alphabet', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (length, seed) => {
      let i = 0;
      // Cycles through arbitrary bytes (mixed with a counter so rejected bytes cannot loop forever).
      const fn = (n: number) => Uint8Array.from({ length: n }, () => ((seed[i % seed.length] ?? 0) + Math.floor(i++ / seed.length)) & 0xff);
      const r = resolveEnv({ policy: 'keep', vars: { P: { kind: 'generate', generate: 'password', length, display: true } }, computed: {} }, [], APP, {}, { randomBytes: fn });
      const value = r.env['P'] ?? '';
      assert.equal(value.length, length);
      for (const ch of value) assert.ok(PASSWORD_ALPHABET.includes(ch), ch);
      assert.equal(r.displayOnce['P'], value);
    }), { numRuns: RUNS });
  });

  it('keeps UUIDs at 122 random bits with the version and variant bits set', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const r = resolveEnv({ policy: 'keep', vars: { U: { kind: 'generate', generate: 'uuid', display: false } }, computed: {} }, [], APP, {}, { randomBytes: () => bytes });
      const hex = (r.env['U'] ?? '').replaceAll('-', '');
      assert.match(r.env['U'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const out = Buffer.from(hex, 'hex');
      out[6] = (out[6] ?? 0) & 0x0f; out[8] = (out[8] ?? 0) & 0x3f;
      const expected = Buffer.from(bytes);
      expected[6] = (expected[6] ?? 0) & 0x0f; expected[8] = (expected[8] ?? 0) & 0x3f;
      assert.deepEqual(out, expected);
    }), { numRuns: RUNS });
  });

  it('resolves the same env whatever the key order of [env] and [env.computed]', () => {
    const arb = configArb(deterministicValue).chain((config) => {
      const vars = Object.entries(config.vars);
      const computed = Object.entries(config.computed);
      return fc.record({
        config: fc.constant(config),
        vars: fc.shuffledSubarray(vars, { minLength: vars.length, maxLength: vars.length }),
        computed: fc.shuffledSubarray(computed, { minLength: computed.length, maxLength: computed.length }),
      });
    });
    fc.assert(fc.property(arb, existingArb, ({ config, vars, computed }, existing) => {
      const permuted: EnvConfig = { policy: config.policy, vars: Object.fromEntries(vars), computed: Object.fromEntries(computed) };
      const a = resolveEnv(config, ADDONS, APP, existing);
      const b = resolveEnv(permuted, ADDONS, APP, existing);
      assert.deepEqual(b.env, a.env);
      assert.deepEqual(b.sources, a.sources);
    }), { numRuns: RUNS });
  });

  it('reports a source for every key and only for keys of env', () => {
    fc.assert(fc.property(configArb(fc.oneof(generateValue, deterministicValue)), existingArb, (config, existing) => {
      const r = resolveEnv(config, ADDONS, APP, existing, { randomBytes: countingBytes().fn });
      assert.deepEqual(Object.keys(r.sources), Object.keys(r.env));
      for (const k of Object.keys(config.computed)) assert.equal(r.sources[k], 'computed');
      for (const k of r.generated) assert.equal(r.sources[k], 'generated');
    }), { numRuns: RUNS });
  });
});
