/** The server config's addons section: what loads, what is refused at load, and how it reaches the backends. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackendFactories, s3BackendConfig } from '../../server/addons/backends.ts';
import type { AddonsConfig } from '../../server/addons/config.ts';
import { configHosts, createBackendRegistry } from '../../server/addons/registry.ts';
import type { RedisDbAllocator } from '../../server/addons/backend.ts';
import { resolveConfig } from '../../server/config.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { tempDir } from './helpers.ts';

function load(addons: unknown): ReturnType<typeof resolveConfig> {
  const t = tempDir();
  try {
    const file = join(t.dir, 'server.json');
    writeFileSync(file, JSON.stringify({ addons }));
    return resolveConfig({ file });
  } finally {
    t.cleanup();
  }
}

const FULL = {
  postgres: { host: '/var/run/postgresql', port: 5432, user: 'postgres', database: 'postgres' },
  mysql: { host: '127.0.0.1', port: 3306, user: 'hop3admin', password: 'pw' },
  redis: { host: '127.0.0.1', port: 6379, user: 'hop3admin', password: 'pw', databases: 16, acl: 'auto' },
  s3: { kind: 'generic', endpoint: 'https://s3.example.net', region: 'eu-west-1', access_key: 'ADMIN', secret_key: 'adminsecret', app_access_key: 'APP', app_secret_key: 'appsecret' },
};

test('a config with every addon type loads, and every type is offered by a registered backend', async () => {
  const { config } = load(FULL);
  const noDbs: RedisDbAllocator = { claim: () => 1, heldBy: () => undefined, release: () => undefined };
  const registry = createBackendRegistry(await loadBackendFactories(config.addons), { config: config.addons, hosts: configHosts(config.addons), redisDbs: noDbs });
  for (const t of ['postgres', 'mysql', 'redis', 's3'] as const) {
    assert.equal(registry.available(t), true, t);
    assert.equal(registry.get(t).type, t);
  }
  await registry.close();
});

test('an s3 endpoint URL becomes host, port and TLS, with the default port of its scheme', () => {
  const s3 = FULL.s3 as NonNullable<AddonsConfig['s3']>;
  assert.deepEqual(
    { ...s3BackendConfig(s3) },
    { kind: 'generic', host: 's3.example.net', port: 443, useSSL: true, region: 'eu-west-1', appEndpoint: undefined, adminAccessKey: 'ADMIN', adminSecretKey: 'adminsecret', appAccessKey: 'APP', appSecretKey: 'appsecret' },
  );
  const minio = s3BackendConfig({ kind: 'minio', endpoint: 'http://[::1]:9000', region: 'us-east-1', access_key: 'A', secret_key: 'S' });
  assert.equal(minio.host, '::1');
  assert.equal(minio.port, 9000);
  assert.equal(minio.useSSL, false);
});

test('a generic s3 without app keys, or an endpoint with a path, is refused when the config loads', () => {
  const refused = (addons: unknown, fragment: RegExp): void => {
    assert.throws(() => load(addons), (e: unknown) => isHop3Error(e) && e.code === 'E_CONFIG_INVALID' && fragment.test(e.message));
  };
  refused({ s3: { ...FULL.s3, app_access_key: undefined } }, /app_access_key and app_secret_key/);
  refused({ s3: { ...FULL.s3, endpoint: 'https://s3.example.net/bucket' } }, /without path/);
  refused({ s3: { ...FULL.s3, endpoint: 's3.example.net' } }, /endpoint/);
  refused({ redis: { ...FULL.redis, databases: 1 } }, /databases/);
  refused({ redis: { ...FULL.redis, acl: 'on' } }, /acl/);
});
