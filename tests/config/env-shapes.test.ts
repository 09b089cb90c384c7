/**
 * [env] shapes at the seam with the resolver: static values stay literal (a
 * "${...}" in one is a warning pointing at [env.computed]), and external_ip
 * accepts exactly { external_ip = true } with an optional family v4/v6.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfigText } from '../../shared-protocol/config/index.ts';
import { resolveEnv } from '../../shared-protocol/config/resolve-env.ts';

describe('a static [env] value containing ${...}', () => {
  it('is accepted with W_CONFIG_ENV_STATIC_INTERPOLATION at the line and column of its key', () => {
    const text = '[[addons]]\ntype = "postgres"\n\n[env]\nPLAIN = "x"\n  DB_HOST = "${PGHOST}"\n';
    const { config, diagnostics } = validateConfigText(text, 'hop3.toml');
    assert.notEqual(config, null);
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.code, d.path, d.line, d.column]), [
      ['warning', 'W_CONFIG_ENV_STATIC_INTERPOLATION', 'env.DB_HOST', 6, 3],
    ]);
    assert.match(diagnostics[0]?.message ?? '', /\$\{PGHOST\}.*literally/);
    assert.match(diagnostics[0]?.hint ?? '', /\[env\.computed\]/);
  });

  it('is warned about in YAML and JSON too, at the key', () => {
    const yaml = validateConfigText('env:\n  DB_HOST: "${PGHOST}"\n', 'hop3.yaml');
    assert.deepEqual(yaml.diagnostics.map((d) => [d.code, d.path, d.line]), [['W_CONFIG_ENV_STATIC_INTERPOLATION', 'env.DB_HOST', 2]]);
    const json = validateConfigText('{\n  "env": {\n    "DB_HOST": "${PGHOST}"\n  }\n}\n', 'hop3.json');
    assert.deepEqual(json.diagnostics.map((d) => [d.code, d.path, d.line]), [['W_CONFIG_ENV_STATIC_INTERPOLATION', 'env.DB_HOST', 3]]);
  });

  it('is not warned about under [env.computed], nor for "$VAR", "$$" or a lone "$"', () => {
    const text = '[env]\nA = "$PGHOST"\nB = "5$"\nC = "{PGHOST}"\n[env.computed]\nD = "${A}"\nE = "$${LITERAL}"\n';
    const { config, diagnostics } = validateConfigText(text, 'hop3.toml');
    assert.notEqual(config, null);
    assert.deepEqual(diagnostics, []);
  });

  it('reaches the app literally: the resolver does not interpolate it (the warning tells the truth)', () => {
    const { config } = validateConfigText('[env]\nDB_HOST = "${PGHOST}"\n', 'hop3.toml');
    assert.ok(config !== null);
    const r = resolveEnv(config.env, [{ name: 'db', type: 'postgres', vars: { PGHOST: 'localhost' } }], { name: 'app' }, {});
    assert.equal(r.env['DB_HOST'], '${PGHOST}');
    assert.equal(r.sources['DB_HOST'], 'static');
  });
});

describe('external_ip in [env]', () => {
  const accepted: Array<[string, 'v4' | 'v6']> = [
    ['{ external_ip = true }', 'v4'],
    ['{ external_ip = true, family = "v4" }', 'v4'],
    ['{ external_ip = true, family = "v6" }', 'v6'],
  ];
  for (const [shape, family] of accepted) {
    it(`accepts ${shape} as the host public ${family} address`, () => {
      const { config, diagnostics } = validateConfigText(`[env]\nIP = ${shape}\n`, 'hop3.toml');
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(config?.env.vars['IP'], { kind: 'external_ip', family });
    });
  }

  const refused: Array<[string, string]> = [
    ['{ external_ip = false }', 'env.IP.external_ip'],
    ['{ external_ip = "true" }', 'env.IP.external_ip'],
    ['{ external_ip = 1 }', 'env.IP.external_ip'],
    ['{ external_ip = true, family = "v5" }', 'env.IP.family'],
    ['{ external_ip = true, family = 6 }', 'env.IP.family'],
    ['{ external_ip = true, from = "db" }', 'env.IP.from'],
    ['{ external_ip = true, key = "domain" }', 'env.IP.key'],
  ];
  for (const [shape, path] of refused) {
    it(`refuses ${shape} with E_CONFIG_ENV_REF at ${path}`, () => {
      const { config, diagnostics } = validateConfigText(`[env]\nIP = ${shape}\n`, 'hop3.toml');
      assert.equal(config, null);
      assert.ok(diagnostics.some((d) => d.code === 'E_CONFIG_ENV_REF' && d.path === path && d.line === 2),
        diagnostics.map((d) => `${d.code} ${d.path}`).join('\n'));
    });
  }
});
