import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveEnv } from '../../shared-protocol/config/resolve-env.ts';
import { APP, PG, REDIS, cfg, countingBytes, s } from './resolve-env-helpers.ts';

describe('resolveEnv: pipeline order and policy', () => {
  it('keeps every existing value and marks it as existing', () => {
    const r = resolveEnv(cfg(), [], APP, { FOO: 'bar', DEBUG: 'true' });
    assert.deepEqual(r.env, { DEBUG: 'true', FOO: 'bar' });
    assert.deepEqual(r.sources, { DEBUG: 'existing', FOO: 'existing' });
    assert.deepEqual(r.generated, []);
  });

  it('defaults DEBUG to "false" when nothing sets it', () => {
    const r = resolveEnv(cfg(), [], APP, {});
    assert.equal(r.env['DEBUG'], 'false');
    assert.equal(r.sources['DEBUG'], 'default');
  });

  it('lets a static DEBUG win over the default', () => {
    const r = resolveEnv(cfg({ DEBUG: s('true') }), [], APP, {});
    assert.equal(r.env['DEBUG'], 'true');
    assert.equal(r.sources['DEBUG'], 'static');
  });

  it('injects every variable of every attached addon and names the addon as source', () => {
    const r = resolveEnv(cfg(), [PG, REDIS], APP, {});
    for (const [k, v] of Object.entries({ ...PG.vars, ...REDIS.vars })) assert.equal(r.env[k], v);
    assert.equal(r.sources['PGHOST'], 'addon:myapp-db');
    assert.equal(r.sources['REDIS_URL'], 'addon:cache');
  });

  it('injects only the first attached addon variables when two addons share a name', () => {
    const other = { name: 'cache2', type: 'redis', vars: { REDIS_URL: 'redis://127.0.0.1:6379/3' } };
    const r = resolveEnv(cfg(), [REDIS, other], APP, {});
    assert.equal(r.env['REDIS_URL'], 'redis://127.0.0.1:6379/2');
    assert.equal(r.sources['REDIS_URL'], 'addon:cache');
  });

  it('lets static [env] win over addon injection', () => {
    const r = resolveEnv(cfg({ PGHOST: s('db.internal') }), [PG], APP, {});
    assert.equal(r.env['PGHOST'], 'db.internal');
    assert.equal(r.sources['PGHOST'], 'static');
  });

  it('keeps existing values over addon injection and static [env] under policy "keep"', () => {
    const r = resolveEnv(cfg({ LOG_LEVEL: s('info') }), [PG], APP, { LOG_LEVEL: 'debug', PGHOST: 'old-host' });
    assert.equal(r.env['LOG_LEVEL'], 'debug');
    assert.equal(r.env['PGHOST'], 'old-host');
    assert.equal(r.sources['LOG_LEVEL'], 'existing');
  });

  it('overwrites existing values with addon injection and static [env] under policy "override"', () => {
    const r = resolveEnv(cfg({ LOG_LEVEL: s('info') }, {}, 'override'), [PG], APP, { LOG_LEVEL: 'debug', PGHOST: 'old-host' });
    assert.equal(r.env['LOG_LEVEL'], 'info');
    assert.equal(r.env['PGHOST'], 'localhost');
    assert.equal(r.sources['PGHOST'], 'addon:myapp-db');
  });

  it('returns env and sources with the same sorted keys', () => {
    const r = resolveEnv(cfg({ ZED: s('1'), ALPHA: s('2') }), [REDIS], APP, { MID: '3' });
    const keys = Object.keys(r.env);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(Object.keys(r.sources), keys);
  });

  it('treats a key named __proto__ as data, not as a prototype', () => {
    const r = resolveEnv(cfg({ ['__proto__']: s('x') }), [], APP, {});
    assert.equal(Object.getPrototypeOf(r.env), Object.prototype);
    assert.ok(Object.hasOwn(r.env, '__proto__'));
  });
});

describe('resolveEnv: generated secrets', () => {
  const gen = (generate: 'hex' | 'base64' | 'urlsafe' | 'password' | 'uuid', extra: { length?: number; prefix?: string; display?: boolean } = {}) =>
    ({ kind: 'generate', generate, display: extra.display ?? false, ...(extra.length !== undefined ? { length: extra.length } : {}), ...(extra.prefix !== undefined ? { prefix: extra.prefix } : {}) }) as const;

  const table = [
    { name: 'hex defaults to 32 bytes (64 hex chars)', spec: gen('hex'), re: /^[0-9a-f]{64}$/, bytes: 32 },
    { name: 'hex length 64 gives 128 hex chars', spec: gen('hex', { length: 64 }), re: /^[0-9a-f]{128}$/, bytes: 64 },
    { name: 'base64 length 32 gives padded standard base64', spec: gen('base64', { length: 32 }), re: /^[A-Za-z0-9+/]{43}=$/, bytes: 32 },
    { name: 'base64 keeps a literal prefix', spec: gen('base64', { length: 32, prefix: 'base64:' }), re: /^base64:[A-Za-z0-9+/]{43}=$/, bytes: 32 },
    { name: 'urlsafe gives unpadded base64url', spec: gen('urlsafe', { length: 16 }), re: /^[A-Za-z0-9_-]{22}$/, bytes: 16 },
    { name: 'password defaults to 24 characters of the unambiguous alphabet', spec: gen('password'), re: /^[A-HJ-NP-Za-km-np-z2-9]{24}$/, bytes: undefined },
    { name: 'uuid is an RFC 4122 version 4 UUID', spec: gen('uuid'), re: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, bytes: 16 },
    { name: 'uuid ignores length', spec: gen('uuid', { length: 3 }), re: /^[0-9a-f-]{36}$/, bytes: 16 },
  ];
  for (const t of table) {
    it(`generates ${t.name}`, () => {
      const rnd = countingBytes();
      const r = resolveEnv(cfg({ SECRET: t.spec }), [], APP, {}, { randomBytes: rnd.fn });
      assert.match(r.env['SECRET'] ?? '', t.re);
      assert.equal(r.sources['SECRET'], 'generated');
      assert.deepEqual(r.generated, ['SECRET']);
      if (t.bytes !== undefined) assert.deepEqual(rnd.requests, [t.bytes]);
    });
  }

  it('puts a display = true value in displayOnce and only that one', () => {
    const r = resolveEnv(cfg({ ADMIN_PASSWORD: gen('password', { display: true }), KEY: gen('hex') }), [], APP, {});
    assert.deepEqual(Object.keys(r.displayOnce), ['ADMIN_PASSWORD']);
    assert.equal(r.displayOnce['ADMIN_PASSWORD'], r.env['ADMIN_PASSWORD']);
  });

  it('does not generate a key that is already set, under either policy', () => {
    for (const policy of ['keep', 'override'] as const) {
      const rnd = countingBytes();
      const r = resolveEnv(cfg({ KEY: gen('hex', { display: true }) }, {}, policy), [], APP, { KEY: 'persisted' }, { randomBytes: rnd.fn });
      assert.equal(r.env['KEY'], 'persisted');
      assert.deepEqual(r.generated, []);
      assert.deepEqual(r.displayOnce, {});
      assert.deepEqual(rnd.requests, [], 'no randomness drawn');
    }
  });

  it('does not generate a key an attached addon already injects', () => {
    const r = resolveEnv(cfg({ PGPASSWORD: gen('password') }), [PG], APP, {});
    assert.equal(r.env['PGPASSWORD'], 'pw');
    assert.deepEqual(r.generated, []);
  });

  it('rejects the password bytes that would bias the modulo (rejection sampling)', () => {
    // 56-char alphabet: bytes >= 224 must be skipped.
    const stream = [255, 224, 0, 250, 55, 223];
    let i = 0;
    const fn = (n: number) => Uint8Array.from({ length: n }, () => stream[i++ % stream.length] ?? 0);
    const r = resolveEnv(cfg({ P: gen('password', { length: 3 }) }), [], APP, {}, { randomBytes: fn });
    // accepted: 0 -> 'A', 55 -> '9', 223 -> 223 % 56 = 55 -> '9'
    assert.equal(r.env['P'], 'A99');
  });

  it('lists generated keys in [env] order', () => {
    const r = resolveEnv(cfg({ B: gen('hex'), A: gen('uuid'), C: gen('urlsafe') }), [], APP, {});
    assert.deepEqual(r.generated, ['B', 'A', 'C']);
  });
});

describe('resolveEnv: references', () => {
  it('copies one variable from an attached addon', () => {
    const r = resolveEnv(cfg({ PRIMARY_DB_HOST: { kind: 'ref', from: 'myapp-db', key: 'PGHOST' } }), [PG], APP, {});
    assert.equal(r.env['PRIMARY_DB_HOST'], 'localhost');
    assert.equal(r.sources['PRIMARY_DB_HOST'], 'ref:myapp-db');
  });

  it('resolves domain and hostname to the first hostname and name to the app name', () => {
    const r = resolveEnv(cfg({
      A: { kind: 'ref', key: 'domain' },
      B: { kind: 'ref', key: 'hostname' },
      C: { kind: 'ref', key: 'name' },
    }), [], APP, {});
    assert.deepEqual([r.env['A'], r.env['B'], r.env['C']], ['myapp.example.com', 'myapp.example.com', 'myapp']);
    assert.equal(r.sources['A'], 'app');
  });

  it('falls back to the first HOST_NAME entry when the app facts carry no hostname', () => {
    const r = resolveEnv(cfg({ FQDN: { kind: 'ref', key: 'domain' }, HOST_NAME: s('_ a.example.org,b.example.org') }), [], { name: 'x' }, {});
    assert.equal(r.env['FQDN'], 'a.example.org');
  });

  it('overwrites an existing value even under policy "keep", because references are derived', () => {
    const r = resolveEnv(cfg({ H: { kind: 'ref', from: 'myapp-db', key: 'PGHOST' } }), [PG], APP, { H: 'stale' });
    assert.equal(r.env['H'], 'localhost');
  });

  it('returns a public operator-set IPv4 address for external_ip v4', () => {
    const app = { ...APP, externalIp: { v4: { address: '9.9.9.9', origin: 'operator' as const } } };
    const r = resolveEnv(cfg({ PUBLIC_IP: { kind: 'external_ip', family: 'v4' } }), [], app, {});
    assert.equal(r.env['PUBLIC_IP'], '9.9.9.9');
    assert.equal(r.sources['PUBLIC_IP'], 'external_ip');
  });

  it('returns a public detected IPv6 address for external_ip v6', () => {
    const app = { ...APP, externalIp: { v6: { address: '2a01:4f8::1', origin: 'detected' as const } } };
    const r = resolveEnv(cfg({ PUBLIC_IP6: { kind: 'external_ip', family: 'v6' } }), [], app, {});
    assert.equal(r.env['PUBLIC_IP6'], '2a01:4f8::1');
  });
});

describe('resolveEnv: [env.computed]', () => {
  it('interpolates addon, static, generated and referenced values', () => {
    const r = resolveEnv(cfg(
      { USER: s('bob'), H: { kind: 'ref', from: 'myapp-db', key: 'PGHOST' } },
      { URL: 'postgres://${USER}@${H}:${PGPORT}/${PGDATABASE}' },
    ), [PG], APP, {});
    assert.equal(r.env['URL'], 'postgres://bob@localhost:5432/myapp');
    assert.equal(r.sources['URL'], 'computed');
  });

  it('lets computed values reference other computed values', () => {
    const r = resolveEnv(cfg({}, { C: '${B}/c', B: '${A}/b', A: 'a' }), [], APP, {});
    assert.deepEqual([r.env['A'], r.env['B'], r.env['C']], ['a', 'a/b', 'a/b/c']);
  });

  it('uses the fresh computed value, not a stale existing one, when a computed value references another', () => {
    const r = resolveEnv(cfg({}, { A: 'new', B: '${A}!' }), [], APP, { A: 'old', B: 'old!' });
    assert.equal(r.env['B'], 'new!');
  });

  it('treats $$ as a literal dollar and leaves $NAME without braces alone', () => {
    const r = resolveEnv(cfg({ X: s('1') }, { V: '$${X} costs $$5 and $X, ${X}' }), [], APP, {});
    assert.equal(r.env['V'], '${X} costs $5 and $X, 1');
  });

  it('does not re-scan interpolated text', () => {
    const r = resolveEnv(cfg({ X: s('${Y}') }, { V: '${X}' }), [], APP, {});
    assert.equal(r.env['V'], '${Y}');
  });

  it('can interpolate the DEBUG default', () => {
    const r = resolveEnv(cfg({}, { V: 'debug=${DEBUG}' }), [], APP, {});
    assert.equal(r.env['V'], 'debug=false');
  });
});
