/**
 * Every E_* code an addon module throws is in the API catalog with an HTTP
 * status, and the lifecycle service passes a backend's typed error through
 * unchanged (code, message and hint), including on destroy.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { API_ERRORS } from '../../shared-protocol/api/errors.ts';
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend } from '../../server/addons/backend.ts';
import { createRedisDbAllocator } from '../../server/addons/redis-dbs.ts';
import { configHosts, createBackendRegistry } from '../../server/addons/registry.ts';
import { createAddonService } from '../../server/addons/service.ts';
import { createSecretBox } from '../../server/crypto/secrets.ts';
import { openDatabase } from '../../server/db/open.ts';
import { STATUS_BY_CODE } from '../../server/errors.ts';
import { memoryLogger } from '../../server/log.ts';
import { tempDir } from './helpers.ts';

const ADDONS_DIR = new URL('../../server/addons/', import.meta.url);

function thrownCodes(): Set<string> {
  const codes = new Set<string>();
  for (const f of readdirSync(ADDONS_DIR).filter((n) => n.endsWith('.ts'))) {
    const src = readFileSync(new URL(f, ADDONS_DIR), 'utf8');
    for (const m of src.matchAll(/Hop3Error\(\s*'(E_[A-Z_]+)'/g)) codes.add(m[1] ?? '');
    for (const m of src.matchAll(/\? '(E_ADDON_[A-Z_]+)' : '(E_ADDON_[A-Z_]+)'/g)) for (const c of [m[1], m[2]]) codes.add(c ?? '');
  }
  return codes;
}

test('every code an addon module throws has a catalog entry and an HTTP status', () => {
  const codes = thrownCodes();
  assert.ok(codes.has('E_ADDON_RESOURCE_EXISTS') && codes.has('E_ADDON_DEPROVISION_FAILED') && codes.has('E_ADDON_EXHAUSTED'), [...codes].join());
  const catalog: Record<string, unknown> = API_ERRORS;
  const status: Record<string, number> = STATUS_BY_CODE;
  for (const c of codes) {
    assert.ok(catalog[c] !== undefined, `${c} is not in shared-protocol/api/errors.ts`);
    assert.equal(typeof status[c], 'number', `${c} has no status in server/errors.ts`);
  }
  assert.deepEqual(
    ['E_ADDON_RESOURCE_EXISTS', 'E_ADDON_DEPROVISION_FAILED', 'E_ADDON_EXHAUSTED', 'E_ADDON_PROVISION_FAILED', 'E_ADDON_BACKEND_UNREACHABLE', 'E_ADDON_BUSY'].map((c) => status[c]),
    [409, 502, 409, 502, 503, 409],
  );
});

function failingBackend(onProvision: Hop3Error, onDeprovision: Hop3Error): AddonBackend {
  return {
    type: 'redis',
    envKeys: ['REDIS_URL'],
    supportedBackupMethods: [],
    provision: async (name) => {
      if (name === 'bad') throw onProvision;
      return { resource: { db: 1 }, secrets: {} };
    },
    env: () => ({ REDIS_URL: 'redis://127.0.0.1/1' }),
    status: async () => ({ ok: true, detail: 'ok' }),
    deprovision: async () => {
      throw onDeprovision;
    },
    close: async () => undefined,
  };
}

test('the service passes a backend typed error through with its code and hint on create and destroy', async () => {
  const t = tempDir('hop3-addon-errors-');
  const opened = openDatabase(join(t.dir, 'hop3.db'));
  try {
    const exists = new Hop3Error('E_ADDON_RESOURCE_EXISTS', 'role hop3_bad exists', { hint: 'drop the leftover role' });
    const gone = new Hop3Error('E_ADDON_DEPROVISION_FAILED', 'removing hop3_ok failed', { hint: 'retry the destroy' });
    const config = { extra_pg_extensions: [] };
    const deps = { config, hosts: configHosts(config), redisDbs: createRedisDbAllocator(opened.db) };
    const backends = createBackendRegistry({}, deps, { redis: failingBackend(exists, gone) });
    const svc = createAddonService({ db: opened.db, secrets: createSecretBox(randomBytes(32)), backends, clock: () => new Date(), log: memoryLogger('debug'), extraPgExtensions: [] });
    await assert.rejects(svc.create('redis', 'bad'), (e) => isHop3Error(e) && e.code === 'E_ADDON_RESOURCE_EXISTS' && e.hint === 'drop the leftover role');
    assert.deepEqual(svc.list().addons, []);
    await svc.create('redis', 'ok');
    await assert.rejects(svc.destroy('ok', { confirm: 'ok' }), (e) => isHop3Error(e) && e.code === 'E_ADDON_DEPROVISION_FAILED' && e.hint === 'retry the destroy');
    assert.deepEqual(svc.list().addons.map((a) => a.name), ['ok'], 'a failed destroy keeps the addon for a retry');
  } finally {
    opened.close();
    t.cleanup();
  }
});

test('a second destroy of an addon while the first is running is refused with E_ADDON_BUSY and deprovisions nothing', async () => {
  const t = tempDir('hop3-addon-busy-');
  const opened = openDatabase(join(t.dir, 'hop3.db'));
  try {
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const slow: AddonBackend = {
      ...failingBackend(new Hop3Error('E_ADDON_PROVISION_FAILED', 'unused'), new Hop3Error('E_ADDON_DEPROVISION_FAILED', 'unused')),
      deprovision: async () => {
        calls++;
        await gate;
      },
    };
    const config = { extra_pg_extensions: [] };
    const backends = createBackendRegistry({}, { config, hosts: configHosts(config), redisDbs: createRedisDbAllocator(opened.db) }, { redis: slow });
    const svc = createAddonService({ db: opened.db, secrets: createSecretBox(randomBytes(32)), backends, clock: () => new Date(), log: memoryLogger('debug'), extraPgExtensions: [] });
    await svc.create('redis', 'slow');
    const first = svc.destroy('slow', { confirm: 'slow' });
    await assert.rejects(svc.destroy('slow', { confirm: 'slow' }), (e) => isHop3Error(e) && e.code === 'E_ADDON_BUSY');
    release();
    assert.equal((await first).name, 'slow');
    assert.equal(calls, 1);
    assert.deepEqual(svc.list().addons, []);
  } finally {
    opened.close();
    t.cleanup();
  }
});
