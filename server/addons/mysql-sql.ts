/**
 * Pure pieces of the mysql (MariaDB) backend: derived names, the password
 * and its mysql_native_password hash, and every statement the backend sends,
 * built with mysql2's own quoting (escapeId for identifiers, escape for
 * literals) — never by interpolating a raw name.
 *
 * The plaintext password never goes to the server: CREATE USER carries the
 * client-side hash (`IDENTIFIED BY PASSWORD '*…'`), so the general log and
 * the binary log see only the hash (which is also what mysql.user stores).
 */
import { createHash, randomBytes } from 'node:crypto';
import { escape, escapeId } from 'mysql2';
import { derivedIdentifier } from './backend.ts';

/** MariaDB limits: database names ≤ 64 characters, user names ≤ 80. */
export const MYSQL_MAX_DATABASE_LENGTH = 64;
export const MYSQL_MAX_USER_LENGTH = 80;

/** The host patterns every addon user is created on (issue 5; 172.% is the Docker bridge). */
export const MYSQL_USER_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '172.%'];

export interface MysqlNames {
  readonly database: string;
  readonly user: string;
}

/** The database and user for an addon: both the derived identifier (e.g. "my-db" → "hop3_my_db"). */
export function mysqlNames(name: string): MysqlNames {
  const id = derivedIdentifier(name);
  if (id.length > MYSQL_MAX_DATABASE_LENGTH || id.length > MYSQL_MAX_USER_LENGTH) {
    throw new Error(`derived identifier too long for MariaDB: ${id.length} characters`);
  }
  return { database: id, user: id };
}

/** 32 random bytes, base64url (43 characters, URL-safe: no encoding surprises in DATABASE_URL). */
export function generateMysqlPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** mysql_native_password hash: '*' + upper(hex(sha1(sha1(password)))), the form PASSWORD() returns. */
export function mysqlNativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/** 'user'@'host' with both parts quoted as string literals. */
export function accountLiteral(user: string, host: string): string {
  return `${escape(user)}@${escape(host)}`;
}

export function createDatabaseSql(database: string): string {
  return `CREATE DATABASE ${escapeId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;
}

/** The hash, never the plaintext, travels in this statement. */
export function createUserSql(user: string, host: string, passwordHash: string): string {
  if (!/^\*[0-9A-F]{40}$/.test(passwordHash)) throw new Error('not a mysql_native_password hash');
  return `CREATE USER ${accountLiteral(user, host)} IDENTIFIED BY PASSWORD ${escape(passwordHash)}`;
}

/** All privileges on that database's objects only (`db`.*): nothing global, no GRANT OPTION. */
export function grantSql(database: string, user: string, host: string): string {
  return `GRANT ALL PRIVILEGES ON ${escapeId(database)}.* TO ${accountLiteral(user, host)}`;
}

export function dropDatabaseSql(database: string): string {
  return `DROP DATABASE IF EXISTS ${escapeId(database)}`;
}

export function dropUserSql(user: string, host: string): string {
  return `DROP USER IF EXISTS ${accountLiteral(user, host)}`;
}

/** mysql://user:password@host:port/database with user and password URL-encoded. */
export function mysqlUrl(user: string, password: string, host: string, port: number, database: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `mysql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${h}:${port}/${encodeURIComponent(database)}`;
}
