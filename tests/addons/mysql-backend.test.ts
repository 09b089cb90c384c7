/**
 * The mysql backend against a real private MariaDB (tests/addons/mariadb-instance.ts):
 * a temp datadir, a port in 20000-29999, grants enforced, the general log on.
 * The backend connects as the harness's password-protected admin over TCP.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { derivedIdentifier, type AddonBackend, type Provisioned } from '../../server/addons/backend.ts';
import { createMysqlBackend } from '../../server/addons/mysql.ts';
import { mysqlNativePasswordHash } from '../../server/addons/mysql-sql.ts';
import { mariadbAvailable, startMariaDb, type MariaDbInstance } from './mariadb-instance.ts';

const skip = mariadbAvailable() ? false : 'mariadbd / mariadb-install-db not installed';
let db: MariaDbInstance | undefined;
let backend: AddonBackend | undefined;
const passwords: string[] = [];

const M = (): MariaDbInstance => {
  if (!db) throw new Error('no MariaDB');
  return db;
};
const B = (): AddonBackend => {
  if (!backend) throw new Error('no backend');
  return backend;
};

async function provision(name: string): Promise<Provisioned> {
  const p = await B().provision(name, {});
  const pw = p.secrets['password'];
  if (pw !== undefined) passwords.push(pw);
  return p;
}

async function rootQuery(sql: string, values: unknown[] = []): Promise<RowDataPacket[]> {
  const c = await M().root();
  try {
    const [rows] = await c.query<RowDataPacket[]>(sql, values);
    return rows;
  } finally {
    await c.end();
  }
}

const databases = async (): Promise<string[]> => (await rootQuery('SHOW DATABASES')).map((r) => String(r['Database'])).sort();
const accounts = async (user: string): Promise<string[]> =>
  (await rootQuery('SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host', [user])).map((r) => String(r['Host']));

/** Connect as an addon over TCP through its DATABASE_URL (what an app does). */
function connectAsApp(p: Provisioned, name: string): Promise<Connection> {
  const url = B().env(name, p)['DATABASE_URL'];
  if (url === undefined) throw new Error('no DATABASE_URL');
  return createConnection(url);
}

async function errorCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
  return 'no error';
}

before(async () => {
  if (skip !== false) return;
  db = await startMariaDb();
  backend = createMysqlBackend(
    { host: '127.0.0.1', port: db.port, adminUser: db.adminUser, adminPassword: db.adminPassword },
    { appHost: () => '127.0.0.1' },
  );
});

after(async () => {
  await backend?.close();
  await db?.stop();
});

test('a provisioned addon reports healthy when checked with its own credentials', { skip }, async () => {
  const p = await provision('shop-db');
  assert.deepEqual(p.resource, { database: 'hop3_shop_db', user: 'hop3_shop_db', hosts: 'localhost,127.0.0.1,172.%', port: M().port });
  const st = await B().status('shop-db', p);
  assert.equal(st.ok, true, st.detail);
  assert.match(st.detail, /^connected as hop3_shop_db to database hop3_shop_db \(MariaDB 10\./);
  await B().deprovision('shop-db', p);
});

test('the addon user creates a table and writes and reads rows in its database over DATABASE_URL and over the socket', { skip }, async () => {
  const p = await provision('rw-db');
  const app = await connectAsApp(p, 'rw-db');
  await app.query('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)');
  await app.query('INSERT INTO notes VALUES (?, ?)', [1, 'hello']);
  const [rows] = await app.query<RowDataPacket[]>('SELECT body FROM notes WHERE id = 1');
  assert.equal(rows[0]?.['body'], 'hello');
  await app.end();
  const viaSocket = await createConnection({ socketPath: M().socket, user: 'hop3_rw_db', password: p.secrets['password'] ?? '', database: 'hop3_rw_db' });
  const [again] = await viaSocket.query<RowDataPacket[]>('SELECT CURRENT_USER() AS u, COUNT(*) AS n FROM notes');
  assert.deepEqual([again[0]?.['u'], again[0]?.['n']], ['hop3_rw_db@localhost', 1]);
  await viaSocket.end();
  await B().deprovision('rw-db', p);
});

test("another addon's user is denied this addon's database and its tables", { skip }, async () => {
  const mine = await provision('mine');
  const theirs = await provision('theirs');
  const app = await connectAsApp(mine, 'mine');
  await app.query('CREATE TABLE secret (v TEXT)');
  await app.query("INSERT INTO secret VALUES ('mine only')");
  await app.end();
  const password = theirs.secrets['password'] ?? '';
  const base = { host: '127.0.0.1', port: M().port, user: 'hop3_theirs', password };
  assert.equal(await errorCode(() => createConnection({ ...base, database: 'hop3_mine' })), 'ER_DBACCESS_DENIED_ERROR');
  const other = await createConnection({ ...base, database: 'hop3_theirs' });
  assert.equal(await errorCode(() => other.query('SELECT v FROM hop3_mine.secret')), 'ER_TABLEACCESS_DENIED_ERROR');
  assert.equal(await errorCode(() => other.query('CREATE DATABASE hop3_sneaky')), 'ER_DBACCESS_DENIED_ERROR');
  assert.equal(await errorCode(() => other.query('SELECT User FROM mysql.user')), 'ER_TABLEACCESS_DENIED_ERROR');
  await other.end();
  await B().deprovision('mine', mine);
  await B().deprovision('theirs', theirs);
});

test('the user exists on localhost, 127.0.0.1 and 172.% with privileges on its own database only', { skip }, async () => {
  const p = await provision('grants-db');
  assert.deepEqual(await accounts('hop3_grants_db'), ['127.0.0.1', '172.%', 'localhost']);
  for (const host of ['localhost', '127.0.0.1', '172.%']) {
    const grants = (await rootQuery('SHOW GRANTS FOR ?@?', ['hop3_grants_db', host])).map((r) => String(Object.values(r)[0]));
    assert.equal(grants.length, 2, grants.join('\n'));
    assert.match(grants[0] ?? '', new RegExp(`^GRANT USAGE ON \\*\\.\\* TO \`hop3_grants_db\`@\`${host.replace('.', '\\.')}\` IDENTIFIED BY PASSWORD '\\*[0-9A-F]{40}'$`));
    assert.equal(grants[1], `GRANT ALL PRIVILEGES ON \`hop3_grants_db\`.* TO \`hop3_grants_db\`@\`${host}\``);
  }
  const dbRows = await rootQuery('SELECT Db, Host, Grant_priv FROM mysql.db WHERE User = ? ORDER BY Host', ['hop3_grants_db']);
  assert.deepEqual(dbRows.map((r) => [r['Db'], r['Host'], r['Grant_priv']]), [
    ['hop3_grants_db', '127.0.0.1', 'N'],
    ['hop3_grants_db', '172.%', 'N'],
    ['hop3_grants_db', 'localhost', 'N'],
  ]);
  await B().deprovision('grants-db', p);
});

test('deprovision leaves no database and no user, and running it again succeeds', { skip }, async () => {
  const before = await databases();
  const p = await provision('gone-db');
  assert.ok((await databases()).includes('hop3_gone_db'));
  await B().deprovision('gone-db', p);
  assert.deepEqual(await databases(), before);
  assert.deepEqual(await accounts('hop3_gone_db'), []);
  await B().deprovision('gone-db', p);
  assert.deepEqual(await accounts('hop3_gone_db'), []);
  const st = await B().status('gone-db', p);
  assert.equal(st.ok, false);
  assert.ok(!st.detail.includes(p.secrets['password'] ?? '?'));
});

test('a pre-existing database with the derived name fails provisioning with a typed error and leaves it untouched with no user', { skip }, async () => {
  await rootQuery('CREATE DATABASE hop3_taken');
  await rootQuery('CREATE TABLE hop3_taken.keep (v INT)');
  const err = await B().provision('taken', {}).then(() => undefined, (e: unknown) => e);
  assert.ok(isHop3Error(err), String(err));
  assert.equal(err.code, 'E_ADDON_RESOURCE_EXISTS');
  assert.match(err.hint ?? '', /already exists/);
  assert.deepEqual(await accounts('hop3_taken'), []);
  const tables = await rootQuery('SHOW TABLES FROM hop3_taken');
  assert.equal(tables.length, 1);
  await rootQuery('DROP DATABASE hop3_taken');
});

test('a user that already exists on one host pattern fails provisioning after partial work and every created object is dropped', { skip }, async () => {
  await rootQuery("CREATE USER 'hop3_half'@'172.%'");
  const dbsBefore = await databases();
  const err = await B().provision('half', {}).then(() => undefined, (e: unknown) => e);
  assert.ok(isHop3Error(err), String(err));
  assert.equal(err.code, 'E_ADDON_RESOURCE_EXISTS');
  assert.match(err.message, /create user on '172\.%'/);
  assert.deepEqual(await databases(), dbsBefore);
  assert.deepEqual(await accounts('hop3_half'), ['172.%']);
  await rootQuery("DROP USER 'hop3_half'@'172.%'");
});

test('two long names sharing their first 58 characters get distinct hashed identifiers and separate databases', { skip }, async () => {
  const stem = 'a'.repeat(58);
  const first = await provision(`${stem}-one`);
  const second = await provision(`${stem}-two`);
  assert.equal(first.resource['database'], derivedIdentifier(`${stem}-one`));
  assert.match(String(first.resource['database']), /^hop3_a{49}_[0-9a-f]{8}$/);
  assert.notEqual(first.resource['database'], second.resource['database']);
  assert.equal((await B().status(`${stem}-one`, first)).ok, true);
  assert.equal((await B().status(`${stem}-two`, second)).ok, true);
  await B().deprovision(`${stem}-one`, first);
  await B().deprovision(`${stem}-two`, second);
  assert.equal((await databases()).filter((d) => d.startsWith('hop3_aaaa')).length, 0);
});

test('hostile names are refused before any statement and create nothing', { skip }, async () => {
  const before = await databases();
  for (const bad of ["x'; DROP DATABASE mysql; --", 'x`y', 'Ünïcode', 'a'.repeat(1000), 'a;b']) {
    await assert.rejects(B().provision(bad, {}), /invalid addon name/);
  }
  assert.deepEqual(await databases(), before);
  assert.deepEqual(await rootQuery("SELECT User FROM mysql.user WHERE User LIKE 'hop3\\_%'"), []);
});

test('an unreachable admin connection gives a typed error without the admin password', { skip }, async () => {
  const bad = createMysqlBackend({ host: '127.0.0.1', port: 1, adminUser: 'hop3admin', adminPassword: 'adm1n-sentinel' }, { appHost: () => '127.0.0.1' });
  const err = await bad.provision('nowhere', {}).then(() => undefined, (e: unknown) => e);
  await bad.close();
  assert.ok(isHop3Error(err));
  assert.equal(err.code, 'E_ADDON_BACKEND_UNREACHABLE');
  assert.ok(!JSON.stringify({ m: err.message, d: err.details, h: err.hint }).includes('adm1n-sentinel'));
});

test('eight addons provisioned in parallel each get their own database and user, and all are removed in parallel', { skip }, async () => {
  const names = Array.from({ length: 8 }, (_, i) => `par-${i}`);
  const before = await databases();
  const ps = await Promise.all(names.map((n) => provision(n)));
  const after = await databases();
  assert.deepEqual(after.filter((d) => !before.includes(d)).sort(), names.map((n) => `hop3_${n.replace('-', '_')}`).sort());
  assert.equal(new Set(ps.map((p) => p.secrets['password'])).size, 8);
  await Promise.all(names.map((n, i) => B().deprovision(n, ps[i] ?? { resource: {}, secrets: {} })));
  assert.deepEqual(await databases(), before);
  assert.deepEqual(await rootQuery("SELECT User FROM mysql.user WHERE User LIKE 'hop3\\_par\\_%'"), []);
});

test('provisioning takes well under a second (median of 7 create-then-destroy runs)', { skip }, async (t) => {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const p = await provision(`bench-${i}`);
    times.push(performance.now() - t0);
    await B().deprovision(`bench-${i}`, p);
  }
  times.sort((a, b) => a - b);
  const median = times[3] ?? Infinity;
  t.diagnostic(`provision_mysql median ${(median / 1000).toFixed(4)} s`);
  assert.ok(median < 1000, `median ${median} ms`);
});

test('no generated password ever reaches the general log, which holds only its hash', { skip }, async () => {
  assert.ok(passwords.length >= 10);
  const log = M().generalLog();
  assert.match(log, /CREATE USER 'hop3_shop_db'@'localhost' IDENTIFIED BY PASSWORD '\*[0-9A-F]{40}'/);
  for (const pw of passwords) {
    assert.ok(!log.includes(pw), 'a plaintext password is in the general log');
    assert.ok(log.includes(mysqlNativePasswordHash(pw)));
  }
});
