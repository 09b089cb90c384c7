/**
 * The pure half of the mysql backend: derived names at the edges, the
 * native-password hash, quoting of every statement, and the env contract.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  MYSQL_MAX_DATABASE_LENGTH,
  createDatabaseSql,
  createUserSql,
  dropUserSql,
  generateMysqlPassword,
  grantSql,
  mysqlNames,
  mysqlNativePasswordHash,
  mysqlUrl,
} from '../../server/addons/mysql-sql.ts';
import { createMysqlBackend, MYSQL_ENV_KEYS } from '../../server/addons/mysql.ts';

test('a dashed addon name derives hop3_ plus underscores for both the database and the user', () => {
  assert.deepEqual(mysqlNames('my-db'), { database: 'hop3_my_db', user: 'hop3_my_db' });
  assert.deepEqual(mysqlNames('a'), { database: 'hop3_a', user: 'hop3_a' });
});

test('the longest valid name derives an identifier within the MariaDB database (64) and user (80) limits', () => {
  const name = `a${'-b'.repeat(31)}`;
  assert.equal(name.length, 63);
  const { database, user } = mysqlNames(name);
  assert.ok(database.length <= MYSQL_MAX_DATABASE_LENGTH);
  assert.equal(user.length, 63);
  assert.match(database, /^hop3_[a-z0-9_]+$/);
});

test('names outside the addon name pattern are refused before any identifier is built', () => {
  for (const bad of ['', 'A', '1db', 'db;drop', "db'", 'db`x', 'dé', 'a'.repeat(64), 'a'.repeat(1000), 'a_b']) {
    assert.throws(() => mysqlNames(bad), /invalid addon name/, bad);
  }
});

test('the native password hash equals MariaDB PASSWORD(): star plus upper hex of sha1 of sha1', () => {
  // PASSWORD('password') on MariaDB/MySQL, a published fixed point.
  assert.equal(mysqlNativePasswordHash('password'), '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  const pw = 'x'.repeat(43);
  const inner = createHash('sha1').update(pw).digest();
  assert.equal(mysqlNativePasswordHash(pw), `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`);
});

test('generated passwords are 43 url-safe characters and differ every time', () => {
  const a = generateMysqlPassword();
  const b = generateMysqlPassword();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});

test('statements quote identifiers with backticks and accounts as string literals', () => {
  assert.equal(createDatabaseSql('hop3_x'), 'CREATE DATABASE `hop3_x` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  assert.equal(createDatabaseSql('we`ird'), 'CREATE DATABASE `we``ird` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  assert.equal(grantSql('hop3_x', 'hop3_x', '172.%'), "GRANT ALL PRIVILEGES ON `hop3_x`.* TO 'hop3_x'@'172.%'");
  assert.equal(dropUserSql("o'brien", 'localhost'), "DROP USER IF EXISTS 'o\\'brien'@'localhost'");
});

test('CREATE USER carries only the hash and refuses anything that is not one', () => {
  const hash = mysqlNativePasswordHash('secret-plaintext');
  const sql = createUserSql('hop3_x', '127.0.0.1', hash);
  assert.equal(sql, `CREATE USER 'hop3_x'@'127.0.0.1' IDENTIFIED BY PASSWORD '${hash}'`);
  assert.ok(!sql.includes('secret-plaintext'));
  assert.throws(() => createUserSql('hop3_x', 'localhost', 'secret-plaintext'), /not a mysql_native_password hash/);
});

test('the URL encodes user and password and brackets an IPv6 host', () => {
  assert.equal(mysqlUrl('u', 'p@ss/w:rd', '127.0.0.1', 3306, 'db'), 'mysql://u:p%40ss%2Fw%3Ard@127.0.0.1:3306/db');
  assert.equal(mysqlUrl('u', 'p', '::1', 3306, 'db'), 'mysql://u:p@[::1]:3306/db');
});

test('env gives the six documented variables in order, with the host from the one AddonHosts object', () => {
  const backend = createMysqlBackend({ host: '127.0.0.1', port: 3306, adminUser: 'root' }, { appHost: (t) => (t === 'mysql' ? '172.17.0.1' : 'x') });
  assert.deepEqual(backend.envKeys, MYSQL_ENV_KEYS);
  assert.deepEqual(backend.supportedBackupMethods, ['mysqldump']);
  const env = backend.env('my-db', { resource: { database: 'hop3_my_db', user: 'hop3_my_db', port: 3307 }, secrets: { password: 'pw' } });
  assert.deepEqual(Object.keys(env), [...MYSQL_ENV_KEYS]);
  assert.deepEqual(env, {
    DATABASE_URL: 'mysql://hop3_my_db:pw@172.17.0.1:3307/hop3_my_db',
    MYSQL_DATABASE: 'hop3_my_db',
    MYSQL_USER: 'hop3_my_db',
    MYSQL_PASSWORD: 'pw',
    MYSQL_HOST: '172.17.0.1',
    MYSQL_PORT: '3307',
  });
});
