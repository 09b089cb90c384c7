/**
 * Issue 5 end to end: a private PostgreSQL 15 and a private Redis 7, a real
 * hop3-server whose `addons` config points at them, rootd + nginx + a uWSGI
 * emperor (tests/server/deploy-harness.ts). examples/addons-demo declares a
 * postgres and a redis addon: the first deploy provisions and attaches both,
 * the app writes and reads through DATABASE_URL and REDIS_URL behind nginx, a
 * second app deployed from the same directory shares them, and after detach
 * and destroy no role, database, key or ACL user is left on either server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AddonsConfig } from '../../server/addons/config.ts';
import { pgUnavailable, startPostgres, type PgInstance } from '../addons/pg-instance.ts';
import { redisAvailable, startRedis, type RedisInstance } from '../addons/redis-instance.ts';
import { EXAMPLES, startDeployHarness, stepsOf, type DeployHarness } from './deploy-harness.ts';

const skip = pgUnavailable() || (redisAvailable() ? false : 'redis-server not installed');
const DEMO = join(EXAMPLES, 'addons-demo');
let pg: PgInstance | undefined;
let redis: RedisInstance | undefined;
let h: DeployHarness | undefined;
const apps: string[] = [];
let redisDb = '';

before(async () => {
  if (skip) return;
  pg = await startPostgres();
  redis = await startRedis();
  const addons: AddonsConfig = {
    extra_pg_extensions: [],
    postgres: { host: pg.socketDir, port: pg.port, user: pg.adminUser, database: 'postgres' },
    redis: { host: '127.0.0.1', port: redis.port, password: redis.adminPassword, databases: 16 },
  };
  h = await startDeployHarness({ addons });
});
after(async () => {
  await h?.stop();
  await redis?.stop();
  await pg?.stop();
});

const H = (): DeployHarness => h ?? assert.fail('no harness');
const P = (): PgInstance => pg ?? assert.fail('no postgres');
const R = (): RedisInstance => redis ?? assert.fail('no redis');

/** GET a JSON route of an app through nginx. */
async function app(name: string, path: string): Promise<Record<string, unknown>> {
  const r = await H().get(`${name}.hop3.test`, path);
  assert.equal(r.status, 200, `${path}: ${r.body}`);
  return JSON.parse(r.body) as Record<string, unknown>;
}

async function count(sql: string, values: unknown[]): Promise<number> {
  return Number((await P().query<{ n: string }>(sql, values))[0]?.n);
}

async function onRedis<T>(f: (c: ReturnType<RedisInstance['admin']>) => Promise<T>, db = 0): Promise<T> {
  const c = R().admin(db);
  try {
    return await f(c);
  } finally {
    c.disconnect();
  }
}

test('the first deploy provisions and attaches both addons, and the app writes and reads through them behind nginx', { skip }, async () => {
  const name = H().appName('addons-demo');
  apps.push(name);
  const out = await H().deploy(name, DEMO);
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
  const log = out.events.map((e) => e.data).join('\n');
  assert.match(log, /provisioned postgres addon demo-db/);
  assert.match(log, /provisioned redis addon demo-cache/);
  assert.ok(stepsOf(out.events).length > 0);
  const id = (await app(name, '/db/write?body=hello%20addons'))['id'];
  assert.equal(typeof id, 'number');
  assert.deepEqual((await app(name, '/db/read'))['notes'], [{ id, body: 'hello addons' }]);
  assert.equal((await app(name, '/kv/set?key=greeting&value=hi'))['result'], 'OK');
  assert.equal((await app(name, '/kv/get?key=greeting'))['value'], 'hi');
  // The writes landed in the addon's own database and logical DB, seen from the servers themselves.
  const rows = await P().query<{ body: string }>('SELECT body FROM notes', [], 'hop3_demo_db');
  assert.deepEqual(rows.map((r) => r.body), ['hello addons']);
  redisDb = String((await app(name, '/addons'))['redis_db']);
  assert.notEqual(redisDb, '0');
  assert.equal(await onRedis((c) => c.get('greeting'), Number(redisDb)), 'hi');
});

test('a second app deployed from the same directory shares both addons: same DATABASE_URL, same REDIS_URL, same data', { skip }, async () => {
  const [first] = apps;
  assert.ok(first !== undefined);
  const name = H().appName('addons-share');
  apps.push(name);
  const out = await H().deploy(name, DEMO);
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
  const log = out.events.map((e) => e.data).join('\n');
  assert.doesNotMatch(log, /provisioned/);
  assert.match(log, /attached addon demo-db/);
  assert.deepEqual(await app(name, '/addons'), await app(first, '/addons'));
  assert.deepEqual(((await app(name, '/db/read'))['notes'] as Array<{ body: string }>).map((n) => n.body), ['hello addons']);
  assert.equal((await app(name, '/kv/get?key=greeting'))['value'], 'hi');
  const shown = (await H().api('GET', '/v1/addons/demo-db')).json as { attachments: Array<{ app: string }> };
  assert.deepEqual(shown.attachments.map((a) => a.app).sort(), [...apps].sort());
});

test('detach keeps the data; destroy then leaves no role, database, key or ACL user on either server', { skip }, async () => {
  for (const a of apps) {
    for (const addon of ['demo-db', 'demo-cache']) assert.equal((await H().api('DELETE', `/v1/apps/${a}/addons/${addon}`)).status, 200);
  }
  assert.equal(await count('SELECT count(*) AS n FROM pg_database WHERE datname = $1', ['hop3_demo_db']), 1, 'detach keeps the database');
  assert.equal(await onRedis((c) => c.get('greeting'), Number(redisDb)), 'hi', 'detach keeps the key');
  for (const addon of ['demo-db', 'demo-cache']) {
    const d = await H().api('DELETE', `/v1/addons/${addon}?confirm=${addon}`);
    assert.equal(d.status, 200, JSON.stringify(d.json));
  }
  assert.equal(await count('SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE $1', ['hop3\\_%']), 0);
  assert.equal(await count('SELECT count(*) AS n FROM pg_database WHERE datname LIKE $1', ['hop3\\_%']), 0);
  const keyspace = await onRedis((c) => c.info('keyspace'));
  assert.doesNotMatch(keyspace, /^db\d+:keys=/m, keyspace);
  const users = await onRedis(async (c) => (await c.call('ACL', 'USERS')) as string[]);
  assert.deepEqual(users.filter((u) => u.startsWith('hop3-')), []);
  assert.deepEqual(((await H().api('GET', '/v1/addons')).json as { addons: unknown[] }).addons, []);
});
