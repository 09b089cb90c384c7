import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, resolveConfig } from '../../server/config.ts';
import { parseListen } from '../../server/listen-address.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { tempDir } from './helpers.ts';

function expectConfigError(fn: () => unknown, fragment: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isHop3Error(e), `expected a Hop3Error, got ${String(e)}`);
    assert.equal(e.code, 'E_CONFIG_INVALID');
    assert.ok(e.message.includes(fragment), `message ${JSON.stringify(e.message)} should mention ${JSON.stringify(fragment)}`);
    return true;
  });
}

test('with no file and no env the defaults apply: loopback :8000, localhost domain, 60 s start timeout', () => {
  const { config, warnings } = resolveConfig({ env: {} });
  assert.deepEqual(config.listenAddress, { kind: 'tcp', host: '127.0.0.1', port: 8000 });
  assert.equal(config.domain, 'localhost');
  assert.equal(config.app_start_timeout_s, 60);
  assert.equal(config.dbPath, '/var/lib/hop3/hop3.db');
  assert.equal(config.keyPath, '/var/lib/hop3/server.key');
  assert.deepEqual(warnings, []);
});

test('a config file overrides defaults and env overrides the file, nested auth keys merged', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'server.json');
    writeFileSync(file, JSON.stringify({ listen: '/run/hop3/server.sock', domain: 'example.org', auth: { failure_burst: 3 } }));
    const { config } = resolveConfig({
      file,
      env: { HOP3_DOMAIN: 'apps.example.net', HOP3_APP_START_TIMEOUT: '15', HOP3_TRUSTED_PROXIES: '127.0.0.1, ::1' },
    });
    assert.deepEqual(config.listenAddress, { kind: 'unix', path: '/run/hop3/server.sock' });
    assert.equal(config.domain, 'apps.example.net');
    assert.equal(config.app_start_timeout_s, 15);
    assert.equal(config.auth.failure_burst, 3);
    assert.equal(config.auth.failures_per_minute, DEFAULT_CONFIG.auth.failures_per_minute);
    assert.deepEqual(config.auth.trusted_proxies, ['127.0.0.1', '::1']);
  } finally {
    t.cleanup();
  }
});

test('unknown HOP3_* variables are reported as warnings, and variables of the CLI and rootd are not', () => {
  const { warnings } = resolveConfig({ env: { HOP3_DATADIR: '/x', HOP3_API_TOKEN: 'hop3_x', HOP3_APP: 'web', PATH: '/bin' } });
  assert.deepEqual(warnings, ['ignoring unknown environment variable HOP3_DATADIR']);
});

const BAD_ENV: Array<[string, Record<string, string>, string]> = [
  ['a non-integer timeout', { HOP3_APP_START_TIMEOUT: '60s' }, 'HOP3_APP_START_TIMEOUT="60s" is not an integer'],
  ['a zero timeout', { HOP3_APP_START_TIMEOUT: '0' }, 'app_start_timeout_s'],
  ['a relative data dir', { HOP3_DATA_DIR: 'var/lib/hop3' }, 'data_dir'],
  ['an uppercase domain', { HOP3_DOMAIN: 'Example.COM' }, 'domain'],
  ['a domain with a scheme', { HOP3_DOMAIN: 'https://example.com' }, 'domain'],
  ['an unknown log level', { HOP3_LOG_LEVEL: 'verbose' }, 'log_level'],
  ['a listen address without port', { HOP3_LISTEN: '127.0.0.1' }, 'listen'],
  ['a listen port out of range', { HOP3_LISTEN: '127.0.0.1:70000' }, 'out of range'],
  ['a listen host name other than localhost', { HOP3_LISTEN: 'example.com:80' }, 'not an IPv4 address'],
  ['a relative rootd socket', { HOP3_ROOTD_SOCKET: 'rootd.sock' }, 'rootd_socket'],
  ['a too small body limit', { HOP3_MAX_BODY_BYTES: '10' }, 'max_body_bytes'],
];
for (const [what, env, fragment] of BAD_ENV) {
  test(`start-up refuses ${what}, naming the variable or key`, () => {
    expectConfigError(() => resolveConfig({ env }), fragment);
  });
}

test('the error names the env variable a bad value came from', () => {
  expectConfigError(() => resolveConfig({ env: { HOP3_DOMAIN: 'bad_domain' } }), '(HOP3_DOMAIN)');
});

const BAD_FILES: Array<[string, string, string]> = [
  ['is not JSON', '{listen: 1}', 'not valid JSON'],
  ['is an array', '[]', 'must hold a JSON object'],
  ['has an unknown key', '{"lisen":"127.0.0.1:1"}', 'unknown setting lisen'],
  ['has an unknown nested key', '{"auth":{"burst":1}}', 'unknown setting auth'],
  ['has a wrong type', '{"rootd_timeout_ms":"30000"}', 'rootd_timeout_ms'],
];
for (const [what, text, fragment] of BAD_FILES) {
  test(`a config file that ${what} is refused with the file named`, () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'server.json');
      writeFileSync(file, text);
      expectConfigError(() => resolveConfig({ file, env: {} }), fragment);
      expectConfigError(() => resolveConfig({ file, env: {} }), 'server.json');
    } finally {
      t.cleanup();
    }
  });
}

test('a missing config file is an error, not a silent fallback to defaults', () => {
  expectConfigError(() => resolveConfig({ file: '/nonexistent/hop3/server.json', env: {} }), 'ENOENT');
});

test('listen addresses parse as IPv4, [IPv6], localhost, or an absolute socket path', () => {
  assert.deepEqual(parseListen('0.0.0.0:80'), { kind: 'tcp', host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseListen('[::1]:8000'), { kind: 'tcp', host: '::1', port: 8000 });
  assert.deepEqual(parseListen('localhost:0'), { kind: 'tcp', host: 'localhost', port: 0 });
  assert.deepEqual(parseListen('/run/hop3.sock'), { kind: 'unix', path: '/run/hop3.sock' });
  assert.throws(() => parseListen(`/${'x'.repeat(120)}`), /longer than 107 bytes/);
  assert.throws(() => parseListen('[zz]:1'), /expected host:port/);
  assert.throws(() => parseListen('[127.0.0.1]:1'), /not an IPv6 address/);
});
