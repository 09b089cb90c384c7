/**
 * The postgres backend against a real private PostgreSQL 15 (tests/addons/pg-instance.ts):
 * the backend's admin is the trusted superuser on the instance's unix socket;
 * addon roles log in with SCRAM over 127.0.0.1, exactly as apps would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { derivedIdentifier, type AddonBackend, type Provisioned } from '../../server/addons/backend.ts';
import { createPostgresBackend } from '../../server/addons/postgres.ts';
import { pgUnavailable, startPostgres, type PgInstance } from './pg-instance.ts';

const skip = pgUnavailable();
let inst: PgInstance | undefined;
let backend: AddonBackend | undefined;

const I = (): PgInstance => {
  if (!inst) throw new Error('no PostgreSQL');
  return inst;
};
const B = (): AddonBackend => {
  if (!backend) throw new Error('no backend');
  return backend;
};

/** A client logged in with an addon's own env (PGHOST/PGUSER/...), not connected yet. */
function asRole(p: Provisioned, name: string, database?: string): pg.Client {
  const e = B().env(name, p);
  const c = new pg.Client({ host: e['PGHOST'], port: Number(e['PGPORT']), user: e['PGUSER'], password: e['PGPASSWORD'], database: database ?? e['PGDATABASE'] });
  c.on('error', () => undefined);
  return c;
}

async function count(sql: string, values: unknown[]): Promise<number> {
  const rows = await I().query<{ n: string }>(sql, values);
  return Number(rows[0]?.n ?? -1);
}
const roles = (name: string): Promise<number> => count('SELECT count(*) AS n FROM pg_roles WHERE rolname = $1', [name]);
const databases = (name: string): Promise<number> => count('SELECT count(*) AS n FROM pg_database WHERE datname = $1', [name]);
const hop3Roles = (): Promise<number> => count("SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE 'hop3\\_%'", []);

function assertCode(e: unknown, code: string): true {
  assert.ok(isHop3Error(e), `expected a Hop3Error, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  return true;
}

before(async () => {
  if (skip) return;
  inst = await startPostgres();
  backend = createPostgresBackend({ host: inst.socketDir, port: inst.port, adminUser: inst.adminUser, adminDatabase: 'postgres' }, { appHost: () => '127.0.0.1' });
});

after(async () => {
  await backend?.close();
  await inst?.stop();
});

test('provisioning creates a login role and a database it owns, and status connects as that role', { skip }, async () => {
  const p = await B().provision('shop', {});
  assert.deepEqual(p.resource, { database: 'hop3_shop', user: 'hop3_shop', extensions: '' });
  const owner = await I().query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', ['hop3_shop']);
  assert.equal(owner[0]?.owner, 'hop3_shop');
  const st = await B().status('shop', p);
  assert.equal(st.ok, true, st.detail);
  assert.match(st.detail, /^connected as hop3_shop to database hop3_shop \(PostgreSQL 15\.\d+/);
  assert.deepEqual(Object.keys(B().env('shop', p)), [...B().envKeys]);
  assert.deepEqual(B().supportedBackupMethods, ['pg_dump']);
  await B().deprovision('shop', p);
});

test("the addon's role can create a table in public and install the trusted pg_trgm extension itself", { skip }, async () => {
  const p = await B().provision('migrator', {});
  const c = asRole(p, 'migrator');
  await c.connect();
  try {
    await c.query('CREATE TABLE public.items (id serial PRIMARY KEY, title text NOT NULL)');
    await c.query("INSERT INTO items (title) VALUES ('hello')");
    await c.query('CREATE EXTENSION pg_trgm');
    const r = await c.query<{ s: number }>("SELECT similarity(title, 'hallo') AS s FROM items");
    assert.ok((r.rows[0]?.s ?? 0) > 0);
    await c.query('CREATE SCHEMA app_private'); // CREATE on the database
  } finally {
    await c.end();
  }
  await B().deprovision('migrator', p);
});

test("another addon's role can neither connect to this database nor read its data", { skip }, async () => {
  const a = await B().provision('owner-a', {});
  const b = await B().provision('owner-b', {});
  const ca = asRole(a, 'owner-a');
  await ca.connect();
  await ca.query("CREATE TABLE secrets (v text); INSERT INTO secrets VALUES ('a-only')");
  await ca.end();
  const cb = asRole(b, 'owner-b', 'hop3_owner_a');
  await assert.rejects(cb.connect(), (e: Error & { code?: string }) => {
    assert.equal(e.code, '42501');
    assert.match(e.message, /permission denied for database "hop3_owner_a"/);
    return true;
  });
  await cb.end().catch(() => undefined);
  // From its own database, b sees none of a's tables either (catalogs are per database).
  const cb2 = asRole(b, 'owner-b');
  await cb2.connect();
  const seen = await cb2.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'secrets'");
  assert.equal(seen.rows[0]?.['n'], 0);
  await cb2.end();
  await B().deprovision('owner-a', a);
  await B().deprovision('owner-b', b);
});

test('deprovisioning removes the role and the database even with a session open, and is idempotent', { skip }, async () => {
  const p = await B().provision('goner', {});
  const c = asRole(p, 'goner');
  await c.connect();
  await B().deprovision('goner', p);
  await c.end().catch(() => undefined);
  assert.equal(await roles('hop3_goner'), 0);
  assert.equal(await databases('hop3_goner'), 0);
  await B().deprovision('goner', p);
  assert.equal((await B().status('goner', p)).ok, false);
});

test('extensions requested at provisioning are installed as superuser, including non-trusted bloom and uuid-ossp which needs quoting', { skip }, async () => {
  const p = await B().provision('exts', { extensions: ['bloom', 'uuid-ossp', 'pgcrypto', 'cube'] });
  const rows = await I().query<{ extname: string }>('SELECT extname FROM pg_extension ORDER BY extname', [], 'hop3_exts');
  assert.deepEqual(rows.map((r) => r.extname), ['bloom', 'cube', 'pgcrypto', 'plpgsql', 'uuid-ossp']);
  assert.equal(p.resource['extensions'], 'bloom,uuid-ossp,pgcrypto,cube');
  await B().deprovision('exts', p);
});

test('a hard-denied extension (dblink) is refused before anything is created', { skip }, async () => {
  const before = await hop3Roles();
  await assert.rejects(B().provision('denied', { extensions: ['pgcrypto', 'dblink'] }), (e) => assertCode(e, 'E_ADDON_EXTENSION_DENIED'));
  await assert.rejects(B().provision('denied', { extensions: ['PLPython3U'] }), (e) => assertCode(e, 'E_ADDON_EXTENSION_DENIED'));
  assert.equal(await hop3Roles(), before);
  assert.equal(await databases('hop3_denied'), 0);
});

test('an extension the server does not have fails provisioning with a typed error and leaves nothing behind', { skip }, async () => {
  await assert.rejects(B().provision('nopostgis', { extensions: ['postgis'] }), (e) => {
    assertCode(e, 'E_ADDON_PROVISION_FAILED');
    assert.ok(isHop3Error(e) && /extension postgis/.test(e.message) && /not installed/.test(e.hint ?? ''));
    return true;
  });
  assert.equal(await roles('hop3_nopostgis'), 0);
  assert.equal(await databases('hop3_nopostgis'), 0);
});

test('a database name taken by hand fails provisioning with E_ADDON_RESOURCE_EXISTS, drops the new role and keeps the hand-made database', { skip }, async () => {
  await I().query('CREATE DATABASE hop3_taken');
  await assert.rejects(B().provision('taken', {}), (e) => assertCode(e, 'E_ADDON_RESOURCE_EXISTS'));
  assert.equal(await roles('hop3_taken'), 0);
  assert.equal(await databases('hop3_taken'), 1);
  await I().query('DROP DATABASE hop3_taken');
});

test('a role name taken by hand fails provisioning with E_ADDON_RESOURCE_EXISTS and keeps the hand-made role', { skip }, async () => {
  await I().query('CREATE ROLE hop3_squatted');
  await assert.rejects(B().provision('squatted', {}), (e) => assertCode(e, 'E_ADDON_RESOURCE_EXISTS'));
  assert.equal(await roles('hop3_squatted'), 1);
  assert.equal(await databases('hop3_squatted'), 0);
  await I().query('DROP ROLE hop3_squatted');
});

test('edge names ("a", "x-y-z", 63 characters) provision exactly one role and one database each', { skip }, async () => {
  const long = `l${'0123456789'.repeat(6)}ab`; // 63 chars → identifier truncated to 63
  assert.equal(long.length, 63);
  const before = await hop3Roles();
  const made: [string, Provisioned][] = [];
  for (const n of ['a', 'x-y-z', long]) made.push([n, await B().provision(n, {})]);
  assert.equal(await hop3Roles(), before + 3);
  for (const [n, p] of made) {
    assert.equal((await B().status(n, p)).ok, true);
    assert.equal(await databases(String(p.resource['database'])), 1);
  }
  assert.equal(made[1]?.[1].resource['database'], 'hop3_x_y_z');
  assert.equal(String(made[2]?.[1].resource['database']).length, 63);
  for (const [n, p] of made) await B().deprovision(n, p);
  assert.equal(await hop3Roles(), before);
});

test('two 63-character names sharing their first 62 characters never share or clobber a role: distinct identifiers that both provision', { skip }, async () => {
  const first = `t${'x'.repeat(61)}1`;
  const second = `t${'x'.repeat(61)}2`;
  const p1 = await B().provision(first, {});
  assert.equal(p1.resource['database'], derivedIdentifier(first));
  if (derivedIdentifier(first) === derivedIdentifier(second)) {
    // Plain truncation (before the hashed suffix): the second is refused cleanly.
    await assert.rejects(B().provision(second, {}), (e) => assertCode(e, 'E_ADDON_RESOURCE_EXISTS'));
  } else {
    const p2 = await B().provision(second, {});
    assert.notEqual(p1.resource['database'], p2.resource['database']);
    assert.equal(await roles(derivedIdentifier(second)), 1);
    assert.equal((await B().status(second, p2)).ok, true);
    await B().deprovision(second, p2);
  }
  assert.equal((await B().status(first, p1)).ok, true);
  await B().deprovision(first, p1);
  assert.equal(await roles(derivedIdentifier(first)) + (await roles(derivedIdentifier(second))), 0);
});

test('hostile names are refused before any statement runs', { skip }, async () => {
  const before = await hop3Roles();
  for (const n of ['a"; DROP ROLE postgres; --', "o'neil", 'ünïcode', 'x'.repeat(1000), 'A', '', '1abc']) {
    await assert.rejects(B().provision(n, {}));
  }
  assert.equal(await hop3Roles(), before);
});

test('an unreachable admin connection answers E_ADDON_BACKEND_UNREACHABLE', { skip }, async () => {
  const dead = createPostgresBackend({ host: '127.0.0.1', port: 1, adminUser: 'postgres', adminDatabase: 'postgres' }, { appHost: () => '127.0.0.1' });
  await assert.rejects(dead.provision('nowhere', {}), (e) => assertCode(e, 'E_ADDON_BACKEND_UNREACHABLE'));
  await assert.rejects(dead.deprovision('nowhere', { resource: {}, secrets: {} }), (e) => assertCode(e, 'E_ADDON_BACKEND_UNREACHABLE'));
});

test('parallel provisioning of one name leaves exactly one role and database and a typed error for the losers', { skip }, async () => {
  const results = await Promise.allSettled([1, 2, 3, 4].map(() => B().provision('raced', {})));
  const won = results.filter((r): r is PromiseFulfilledResult<Provisioned> => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const r of results) if (r.status === 'rejected') assertCode(r.reason, 'E_ADDON_RESOURCE_EXISTS');
  assert.equal(await roles('hop3_raced'), 1);
  assert.equal(await databases('hop3_raced'), 1);
  const p = won[0]?.value;
  assert.ok(p);
  assert.equal((await B().status('raced', p)).ok, true);
  await B().deprovision('raced', p);
});

test('parallel provisioning of distinct names all succeed', { skip }, async () => {
  const names = ['par-1', 'par-2', 'par-3', 'par-4', 'par-5'];
  const made = await Promise.all(names.map((n) => B().provision(n, {})));
  for (const [i, p] of made.entries()) assert.equal((await B().status(names[i] ?? '', p)).ok, true);
  await Promise.all(made.map((p, i) => B().deprovision(names[i] ?? '', p)));
  for (const n of names) assert.equal(await roles(derivedIdentifier(n)), 0);
});
