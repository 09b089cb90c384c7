/**
 * The redis backend against a real private redis-server 7 (tests/addons/redis-instance.ts:
 * a temp dir, a port in 20000-29999, no persistence, requirepass for the admin).
 * DB numbers come from an IN-MEMORY TEST DOUBLE of RedisDbAllocator defined
 * below; the real allocator (a unique constraint in SQLite) is the lifecycle
 * service's, server/addons/redis-dbs.ts, and is tested there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts, Provisioned, RedisDbAllocator } from '../../server/addons/backend.ts';
import { createRedisBackend } from '../../server/addons/redis.ts';
import { sha256Hex } from '../../server/addons/redis-acl.ts';
import { redisAvailable, startRedis, type RedisInstance } from './redis-instance.ts';

/** Test double: an in-memory allocator with the contract's semantics (lowest free from 1, idempotent, E_ADDON_EXHAUSTED). */
export class InMemoryRedisDbAllocatorTestDouble implements RedisDbAllocator {
  readonly held = new Map<string, number>();
  claim(addon: string, limit: number): number {
    const mine = this.held.get(addon);
    if (mine !== undefined) return mine;
    const used = new Set(this.held.values());
    let n = 1;
    while (used.has(n)) n++;
    if (n >= limit) {
      const holders = [...this.held].map(([a, d]) => `${d}:${a}`);
      throw new Hop3Error('E_ADDON_EXHAUSTED', `every Redis logical DB (0-${limit - 1}) is held: ${holders.join(', ')}`, { details: { holders } });
    }
    this.held.set(addon, n);
    return n;
  }
  heldBy(addon: string): number | undefined {
    return this.held.get(addon);
  }
  release(addon: string): void {
    this.held.delete(addon);
  }
}

const hosts: AddonHosts = { appHost: () => '127.0.0.1' };
const skip = redisAvailable() ? false : 'redis-server not installed';
let srv: RedisInstance | undefined;
const S = (): RedisInstance => {
  if (!srv) throw new Error('no redis');
  return srv;
};
const open: Redis[] = [];
function client(url: string): Redis {
  const c = new Redis(url, { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
  c.on('error', () => undefined);
  open.push(c);
  return c;
}
function backendWith(alloc: RedisDbAllocator, extra: { acl?: 'off'; dbLimit?: number; port?: number } = {}): AddonBackend {
  return createRedisBackend({ host: '127.0.0.1', port: extra.port ?? S().port, adminPassword: S().adminPassword, dbLimit: extra.dbLimit, acl: extra.acl }, hosts, alloc);
}
async function aclUsers(): Promise<string[]> {
  const a = S().admin();
  try {
    return (await a.call('ACL', 'USERS')) as string[];
  } finally {
    a.disconnect();
  }
}

before(async () => {
  if (!skip) srv = await startRedis();
});
after(async () => {
  for (const c of open) c.disconnect();
  await srv?.stop();
});

test('two addons get different DBs, and a write through one REDIS_URL is invisible through the other', { skip }, async (t) => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc);
  const started = Date.now();
  const pa = await b.provision('cache-a', {});
  t.diagnostic(`provision_redis_s=${((Date.now() - started) / 1000).toFixed(3)}`);
  const pb = await b.provision('cache-b', {});
  assert.notEqual(pa.resource['db'], pb.resource['db']);
  const ea = b.env('cache-a', pa);
  const eb = b.env('cache-b', pb);
  assert.deepEqual(Object.keys(ea), ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_DB']);
  assert.equal(ea['REDIS_HOST'], '127.0.0.1');
  assert.equal(ea['REDIS_PORT'], String(S().port));
  assert.equal(ea['REDIS_URL'], `redis://hop3-cache-a:${pa.secrets['password']}@127.0.0.1:${S().port}/${String(pa.resource['db'])}`);
  const ca = client(ea['REDIS_URL'] ?? '');
  const cb = client(eb['REDIS_URL'] ?? '');
  await ca.set('greeting', 'from a');
  assert.equal(await ca.get('greeting'), 'from a');
  assert.equal(await cb.get('greeting'), null);
  assert.equal(await cb.dbsize(), 0);
  await b.deprovision('cache-a', pa);
  await b.deprovision('cache-b', pb);
  await b.close();
});

test('each addon gets its own ACL user, set by SHA-256, whose SELECT is limited to its own DB', { skip }, async () => {
  const b = backendWith(new InMemoryRedisDbAllocatorTestDouble());
  const pa = await b.provision('acl-a', {});
  const pb = await b.provision('acl-b', {});
  const users = await aclUsers();
  assert.ok(users.includes('hop3-acl-a') && users.includes('hop3-acl-b'));
  const a = S().admin();
  const list = ((await a.call('ACL', 'LIST')) as string[]).join('\n');
  a.disconnect();
  assert.ok(list.includes(`#${sha256Hex(pa.secrets['password'] ?? '')}`), 'stored as its hash');
  assert.ok(!list.includes(pa.secrets['password'] ?? 'x'), 'the plaintext is not stored');
  const ca = client(b.env('acl-a', pa)['REDIS_URL'] ?? '');
  await assert.rejects(ca.select(Number(pb.resource['db'])), /NOPERM/);
  await assert.rejects(ca.call('FLUSHALL'), /NOPERM/);
  await assert.rejects(ca.call('MOVE', 'k', String(pb.resource['db'])), /NOPERM/);
  await assert.rejects(ca.call('MONITOR'), /NOPERM/);
  assert.equal(await ca.call('FLUSHDB'), 'OK', 'FLUSHDB of its own DB is allowed');
  const st = await b.status('acl-a', pa);
  assert.equal(st.ok, true);
  assert.match(st.detail, /^connected as hop3-acl-a to DB \d+ \(Redis 7\./);
  assert.ok(!st.detail.includes(pa.secrets['password'] ?? 'x'));
  await b.deprovision('acl-a', pa);
  await b.deprovision('acl-b', pb);
  assert.deepEqual((await aclUsers()).filter((u) => u.startsWith('hop3-')), []);
  await b.close();
});

test('the documented limit: an addon user can still use DB 0 without SELECT, since ACL cannot bind the default DB', { skip }, async () => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc); // DB 0 is never allocated, so the first addon gets DB 1
  const p = await b.provision('zero', {});
  assert.equal(p.resource['db'], 1);
  const c = new Redis({ host: '127.0.0.1', port: S().port, username: 'hop3-zero', password: p.secrets['password'], lazyConnect: true });
  c.on('error', () => undefined);
  open.push(c);
  assert.equal(await c.set('in-db-0', '1'), 'OK');
  await b.deprovision('zero', p);
  const a = S().admin();
  await a.del('in-db-0');
  a.disconnect();
  await b.close();
});

test('deprovision flushes only its own DB, deletes its user, releases the DB, and a second call is a no-op', { skip }, async () => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc);
  const keep = await b.provision('keep', {});
  const gone = await b.provision('gone', {});
  await client(b.env('keep', keep)['REDIS_URL'] ?? '').set('k', 'kept');
  const cg = client(b.env('gone', gone)['REDIS_URL'] ?? '');
  await cg.mset('a', '1', 'b', '2');
  await b.deprovision('gone', gone);
  const a = S().admin(Number(gone.resource['db']));
  assert.equal(await a.dbsize(), 0);
  await a.select(Number(keep.resource['db']));
  assert.equal(await a.get('k'), 'kept');
  a.disconnect();
  assert.ok(!(await aclUsers()).includes('hop3-gone'));
  assert.equal(alloc.held.has('gone'), false);
  const st = await b.status('gone', gone);
  assert.equal(st.ok, false);
  assert.match(st.detail, /WRONGPASS|NOAUTH/);
  await b.deprovision('gone', gone); // idempotent
  await b.deprovision('keep', keep);
  await b.close();
});

test('the plaintext password never reaches the server in a command MONITOR shows (AUTH is redacted)', { skip }, async () => {
  const mon = await S().admin().monitor();
  const seen: string[] = [];
  mon.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
  const b = backendWith(new InMemoryRedisDbAllocatorTestDouble());
  const p = await b.provision('watched', {});
  await b.status('watched', p);
  await client(b.env('watched', p)['REDIS_URL'] ?? '').set('x', '1');
  await b.deprovision('watched', p);
  await new Promise((r) => setTimeout(r, 100));
  mon.disconnect();
  const pw = p.secrets['password'] ?? '';
  // Redis 7 keeps admin commands (ACL SETUSER, CONFIG) out of MONITOR entirely and redacts AUTH/HELLO credentials.
  assert.ok(seen.some((l) => /^hello 3 AUTH \(redacted\) \(redacted\)$/.test(l)), 'MONITOR saw the addon log in, redacted');
  assert.ok(seen.includes('set x 1'), 'MONITOR saw the app write');
  assert.deepEqual(seen.filter((l) => l.includes(pw)), []);
  await b.close();
});

test('when every DB is held, provision fails with E_ADDON_EXHAUSTED and creates no user', { skip }, async () => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc, { dbLimit: 2 });
  const p = await b.provision('only', {});
  assert.equal(p.resource['db'], 1);
  await assert.rejects(b.provision('second', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_EXHAUSTED' && /1:only/.test(e.message));
  assert.ok(!(await aclUsers()).includes('hop3-second'));
  await b.deprovision('only', p);
  await b.close();
});

test('a DB that already holds keys no addon owns is refused and its claim released', { skip }, async () => {
  const a = S().admin(1);
  await a.set('stray', '1');
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc);
  await assert.rejects(b.provision('stray-db', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_PROVISION_FAILED' && /DB 1 already holds 1 keys/.test(e.message));
  assert.equal(alloc.held.size, 0);
  assert.ok(!(await aclUsers()).includes('hop3-stray-db'));
  await a.del('stray');
  a.disconnect();
  await b.close();
});

test('with ACL off, the addon uses the server password and no user is created', { skip }, async () => {
  const b = backendWith(new InMemoryRedisDbAllocatorTestDouble(), { acl: 'off' });
  const p = await b.provision('plain', {});
  assert.equal(p.resource['acl'], false);
  assert.equal(b.env('plain', p)['REDIS_URL'], `redis://:${S().adminPassword}@127.0.0.1:${S().port}/1`);
  assert.ok(!(await aclUsers()).includes('hop3-plain'));
  const st = await b.status('plain', p);
  assert.equal(st.ok, true, st.detail);
  await b.deprovision('plain', p);
  await b.close();
});

test('an unreachable server fails with E_ADDON_BACKEND_UNREACHABLE and claims nothing', { skip }, async () => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc, { port: 1 });
  await assert.rejects(b.provision('nowhere', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_BACKEND_UNREACHABLE');
  assert.equal(alloc.held.size, 0);
  await b.close();
});

test('a stale deprovision after the release flushes nothing and keeps the user of the addon that re-claimed the DB', { skip }, async () => {
  const alloc = new InMemoryRedisDbAllocatorTestDouble();
  const b = backendWith(alloc);
  const old = await b.provision('old', {});
  await b.deprovision('old', old);
  const next = await b.provision('next', {});
  assert.equal(next.resource['db'], old.resource['db'], 'the released DB is handed out again');
  await client(b.env('next', next)['REDIS_URL'] ?? '').set('mine', 'yes');
  await b.deprovision('old', old); // a retry of the first destroy
  const a = S().admin(Number(next.resource['db']));
  assert.equal(await a.get('mine'), 'yes');
  a.disconnect();
  assert.ok((await aclUsers()).includes('hop3-next'));
  await b.deprovision('next', next);
  await b.close();
});
