/** The addon lifecycle over real HTTP, through the real redis backend against a private redis-server. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { SENTINEL, startAddonsServer, type AddonsServer } from './addons-server.ts';

let s: AddonsServer;
before(async () => {
  s = await startAddonsServer();
  s.createApp('web');
  s.createApp('worker');
});
after(async () => s.stop());

const count = (table: 'addons' | 'redis_dbs' | 'addon_attachments'): number => s.server.context.db.get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`)).n;
const code = (r: { json: Record<string, unknown> }): unknown => (r.json['error'] as { code?: string } | undefined)?.code;
/** Run a command on DB `db` of the private server as its admin. */
async function onDb<T>(db: string, f: (c: Redis) => Promise<T>): Promise<T> {
  const c = s.redis.admin(Number(db));
  try {
    return await f(c);
  } finally {
    c.disconnect();
  }
}
const attachments = (r: { json: Record<string, unknown> }) => r.json['attachments'] as Array<{ name: string; primary: boolean; prefix: string }>;

describe('addon lifecycle over HTTP', () => {
  it('creates a redis addon, masks its secret, and reports its status with its own credentials', async () => {
    const c = await s.api('POST', '/v1/addons', { type: 'redis', name: 'cache-a' });
    assert.equal(c.status, 201);
    const env = c.json['env'] as Record<string, string>;
    assert.match(env['REDIS_URL'] ?? '', /^redis:\/\/hop3-cache-a:\*\*\*\*@127\.0\.0\.1:\d+\/\d+$/);
    assert.equal(JSON.stringify(c.json).includes(SENTINEL), false);
    const st = await s.api('GET', '/v1/addons/cache-a/status');
    assert.equal(st.json['ok'], true);
    const shown = await s.api('GET', '/v1/addons/cache-a?show_secrets=true');
    assert.ok((shown.json['env'] as Record<string, string>)['REDIS_URL']?.includes(SENTINEL));
    assert.ok(s.logs.some((l) => l['msg'] === 'addon secrets revealed' && l['token'] === 'tester'));
  });

  it('refuses a second addon of the same name with E_ADDON_EXISTS', async () => {
    const r = await s.api('POST', '/v1/addons', { type: 'redis', name: 'cache-a' });
    assert.equal(r.status, 409);
    assert.equal(code(r), 'E_ADDON_EXISTS');
  });

  it('refuses a type the operator has not configured with E_ADDON_TYPE_UNAVAILABLE and a hint', async () => {
    const r = await s.api('POST', '/v1/addons', { type: 'postgres', name: 'pg' });
    assert.equal(code(r), 'E_ADDON_TYPE_UNAVAILABLE');
    assert.ok(typeof (r.json['error'] as { hint?: string }).hint === 'string');
    assert.equal(code(await s.api('POST', '/v1/addons', { type: 'mongo', name: 'pg' })), 'E_ADDON_TYPE_UNKNOWN');
  });

  it('makes the first attachment of a type primary and prefixes every addon of that type once there are two', async () => {
    await s.api('POST', '/v1/addons', { type: 'redis', name: 'cache-b' });
    const a1 = await s.api('PUT', '/v1/apps/web/addons/cache-a');
    assert.deepEqual(attachments(a1).map((a) => [a.name, a.primary, a.prefix]), [['cache-a', true, 'CACHE_A_']]);
    const a2 = await s.api('PUT', '/v1/apps/web/addons/cache-b');
    assert.deepEqual(attachments(a2).map((a) => [a.name, a.primary]), [['cache-a', true], ['cache-b', false]]);
  });

  it('promotes the second addon to primary and keeps one primary per type', async () => {
    const p = await s.api('POST', '/v1/apps/web/addons/cache-b/primary');
    assert.deepEqual(attachments(p).map((a) => [a.name, a.primary]), [['cache-a', false], ['cache-b', true]]);
  });

  it('refuses to destroy an attached addon, without the exact name, and destroys it when forced', async () => {
    assert.equal(code(await s.api('DELETE', '/v1/addons/cache-a?confirm=cache-b')), 'E_ADDON_CONFIRM_REQUIRED');
    const r = await s.api('DELETE', '/v1/addons/cache-a?confirm=cache-a');
    assert.equal(r.status, 409);
    assert.equal(code(r), 'E_ADDON_ATTACHED');
    const shown = await s.api('GET', '/v1/addons/cache-b?show_secrets=1');
    const db = String((shown.json['resource'] as Record<string, unknown>)['db']);
    await onDb(db, (c) => c.set('k', 'v'));
    const d = await s.api('DELETE', '/v1/addons/cache-b?confirm=cache-b&force=true');
    assert.deepEqual(d.json['detached'], ['web']);
    const size = await onDb(db, (c) => c.dbsize());
    assert.equal(size, 0);
    const users = await onDb('0', async (c) => (await c.call('ACL', 'USERS')) as string[]);
    assert.ok(users.includes('hop3-cache-a') && !users.includes('hop3-cache-b'), users.join());
    assert.equal(code(await s.api('GET', '/v1/addons/cache-b')), 'E_ADDON_NOT_FOUND');
  });

  it('detaches an addon from one app, keeps its data and its other attachment, then destroys it', async () => {
    await s.api('PUT', '/v1/apps/worker/addons/cache-a');
    const shown = await s.api('GET', '/v1/addons/cache-a?show_secrets=1');
    const db = String((shown.json['resource'] as Record<string, unknown>)['db']);
    await onDb(db, (c) => c.set('kept', '1'));
    const d = await s.api('DELETE', '/v1/apps/web/addons/cache-a');
    assert.deepEqual(attachments(d), []);
    const kept = await onDb(db, (c) => c.get('kept'));
    assert.equal(kept, '1');
    const left = (await s.api('GET', '/v1/addons/cache-a')).json['attachments'] as Array<{ app: string; primary: boolean }>;
    assert.deepEqual(left.map((a) => [a.app, a.primary]), [['worker', true]]);
    assert.equal(code(await s.api('DELETE', '/v1/apps/web/addons/cache-a')), 'E_ADDON_NOT_ATTACHED');
    await s.api('DELETE', '/v1/apps/worker/addons/cache-a');
    assert.equal((await s.api('DELETE', '/v1/addons/cache-a?confirm=cache-a')).status, 200);
  });

  it('gives 20 parallel redis creates 20 distinct DB numbers', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `par-${i}`);
    const rs = await Promise.all(names.map((name) => s.api('POST', '/v1/addons', { type: 'redis', name })));
    assert.deepEqual(rs.map((r) => r.status), names.map(() => 201));
    const dbs = rs.map((r) => (r.json['resource'] as Record<string, unknown>)['db']);
    assert.equal(new Set(dbs).size, 20);
    assert.equal(dbs.includes(0), false, 'DB 0 is never handed out');
    assert.equal(count('redis_dbs'), 20);
  });

  it('refuses hostile names with E_INVALID_ADDON_NAME and creates nothing', async () => {
    const before = [count('addons'), count('redis_dbs'), count('addon_attachments')];
    const hostile = ["a'b", 'a;drop', 'a"b', 'caché', 'x'.repeat(1000), 'A-upper', '-lead', 'a b', 'a\u0000b', '1abc', ''];
    for (const name of hostile) {
      const r = await s.api('POST', '/v1/addons', { type: 'redis', name });
      assert.equal(code(r), 'E_INVALID_ADDON_NAME', JSON.stringify(name).slice(0, 40));
      assert.equal(JSON.stringify(r.json).includes('x'.repeat(100)), false);
    }
    assert.deepEqual([count('addons'), count('redis_dbs'), count('addon_attachments')], before);
    for (const name of hostile) assert.equal(code(await s.api('PUT', `/v1/apps/web/addons/${encodeURIComponent(name)}`)), name === '' ? 'E_ROUTE_NOT_FOUND' : 'E_INVALID_ADDON_NAME');
  });

  it('never writes a sentinel secret to the server log or the database file in plaintext', async () => {
    assert.equal(JSON.stringify(s.logs).includes(SENTINEL), false);
    s.server.context.db.run(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
    assert.equal(readFileSync(s.dbFile).includes(SENTINEL), false);
    assert.ok((await s.api('GET', '/v1/addons/par-1?show_secrets=1')).json['env'] !== undefined);
  });
});
