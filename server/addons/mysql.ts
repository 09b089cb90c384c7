/**
 * The mysql (MariaDB) addon backend: one database and one user per addon on
 * an operator-configured server, the user created on 'localhost',
 * '127.0.0.1' and '172.%' with ALL PRIVILEGES on that database only.
 *
 * Statements come from mysql-sql.ts (quoted by mysql2, hash-only passwords).
 * Errors are Hop3Errors built from the server's error code and message only:
 * mysql2 errors carry the statement text (`sql`), which holds the password
 * hash, so they are never passed on as `cause`.
 */
import { createConnection, createPool } from 'mysql2/promise';
import type { ConnectionOptions, Pool, PoolConnection, PoolOptions, RowDataPacket } from 'mysql2/promise';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts, AddonStatus, Provisioned, ProvisionOptions } from './backend.ts';
import {
  MYSQL_USER_HOSTS,
  createDatabaseSql,
  createUserSql,
  dropDatabaseSql,
  dropUserSql,
  generateMysqlPassword,
  grantSql,
  mysqlNames,
  mysqlNativePasswordHash,
  mysqlUrl,
} from './mysql-sql.ts';

export interface MysqlBackendConfig {
  readonly host: string;
  readonly port: number;
  readonly adminUser: string;
  readonly adminPassword?: string;
  /** When set, the admin (and status checks) connect through this Unix socket instead of TCP. */
  readonly socketPath?: string;
}

export const MYSQL_ENV_KEYS: readonly string[] = [
  'DATABASE_URL',
  'MYSQL_DATABASE',
  'MYSQL_USER',
  'MYSQL_PASSWORD',
  'MYSQL_HOST',
  'MYSQL_PORT',
];

const CONNECT_TIMEOUT_MS = 5000;

interface ServerError {
  readonly code: string;
  readonly message: string;
}

/** The server's error code and message, without the statement text (which would carry the hash). */
function serverError(e: unknown): ServerError {
  if (typeof e === 'object' && e !== null) {
    const r = e as { code?: unknown; sqlMessage?: unknown; message?: unknown };
    const code = typeof r.code === 'string' ? r.code : 'UNKNOWN';
    const msg = typeof r.sqlMessage === 'string' ? r.sqlMessage : typeof r.message === 'string' ? r.message : String(e);
    return { code, message: msg };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

function isConnectionError(code: string): boolean {
  return code.startsWith('E') && !code.startsWith('ER_') || code === 'PROTOCOL_CONNECTION_LOST' || code === 'ER_ACCESS_DENIED_ERROR';
}

function unreachable(cfg: MysqlBackendConfig, err: ServerError): Hop3Error {
  const where = cfg.socketPath ?? `${cfg.host}:${cfg.port}`;
  return new Hop3Error('E_ADDON_BACKEND_UNREACHABLE', `cannot reach the MariaDB admin connection at ${where}: ${err.code} ${err.message}`, {
    hint: 'Check the mysql addon backend settings (host, port, admin user and password) and that the server is running.',
    details: { type: 'mysql', code: err.code },
  });
}

function stringField(p: Provisioned, key: string, fallback: string): string {
  const v = p.resource[key];
  return typeof v === 'string' && v !== '' ? v : fallback;
}

function numberField(p: Provisioned, key: string, fallback: number): number {
  const v = p.resource[key];
  return typeof v === 'number' ? v : fallback;
}

export function createMysqlBackend(cfg: MysqlBackendConfig, hosts: AddonHosts): AddonBackend {
  const base: ConnectionOptions = cfg.socketPath !== undefined ? { socketPath: cfg.socketPath } : { host: cfg.host, port: cfg.port };
  const poolOptions: PoolOptions = {
    ...base,
    user: cfg.adminUser,
    ...(cfg.adminPassword !== undefined ? { password: cfg.adminPassword } : {}),
    connectionLimit: 4,
    maxIdle: 1,
    idleTimeout: 30_000,
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
  };
  let pool: Pool | undefined;

  async function admin(): Promise<PoolConnection> {
    pool ??= createPool(poolOptions);
    try {
      return await pool.getConnection();
    } catch (e) {
      throw unreachable(cfg, serverError(e));
    }
  }

  async function provision(name: string, _opts: ProvisionOptions): Promise<Provisioned> {
    const { database, user } = mysqlNames(name);
    const password = generateMysqlPassword();
    const hash = mysqlNativePasswordHash(password);
    const conn = await admin();
    const undo: string[] = [];
    let step = 'create database';
    try {
      await conn.query(createDatabaseSql(database));
      undo.push(dropDatabaseSql(database));
      for (const host of MYSQL_USER_HOSTS) {
        step = `create user on '${host}'`;
        await conn.query(createUserSql(user, host, hash));
        undo.push(dropUserSql(user, host));
        step = `grant on '${host}'`;
        await conn.query(grantSql(database, user, host));
      }
    } catch (e) {
      const err = serverError(e);
      const leftovers: string[] = [];
      for (const sql of undo.reverse()) {
        try {
          await conn.query(sql);
        } catch {
          leftovers.push(sql);
        }
      }
      conn.release();
      if (isConnectionError(err.code) && undo.length === 0) throw unreachable(cfg, err);
      const exists = err.code === 'ER_DB_CREATE_EXISTS' || err.code === 'ER_CANNOT_USER';
      throw new Hop3Error(
        exists ? 'E_ADDON_RESOURCE_EXISTS' : 'E_ADDON_PROVISION_FAILED',
        `mysql addon ${name}: ${step} failed: ${err.code} ${err.message}` +
          (leftovers.length > 0 ? ` (cleanup incomplete: ${leftovers.length} statement(s) failed)` : ''),
        {
          hint: exists
            ? `A database or user named ${database} already exists on the MariaDB server and is not Hop3's to reuse; drop it or pick another addon name.`
            : 'Check the admin user has CREATE, CREATE USER and GRANT OPTION privileges; nothing this attempt created was kept.',
          details: { type: 'mysql', step, code: err.code, database, user, cleanupFailed: leftovers.length },
        },
      );
    }
    conn.release();
    return {
      resource: { database, user, hosts: MYSQL_USER_HOSTS.join(','), port: cfg.port },
      secrets: { password },
    };
  }

  function env(name: string, p: Provisioned): Record<string, string> {
    const names = mysqlNames(name);
    const database = stringField(p, 'database', names.database);
    const user = stringField(p, 'user', names.user);
    const port = numberField(p, 'port', cfg.port);
    const password = p.secrets['password'] ?? '';
    const host = hosts.appHost('mysql');
    return {
      DATABASE_URL: mysqlUrl(user, password, host, port, database),
      MYSQL_DATABASE: database,
      MYSQL_USER: user,
      MYSQL_PASSWORD: password,
      MYSQL_HOST: host,
      MYSQL_PORT: String(port),
    };
  }

  async function status(name: string, p: Provisioned): Promise<AddonStatus> {
    const names = mysqlNames(name);
    const database = stringField(p, 'database', names.database);
    const user = stringField(p, 'user', names.user);
    const password = p.secrets['password'];
    if (password === undefined) return { ok: false, detail: `no stored password for ${user}` };
    let conn;
    try {
      conn = await createConnection({ ...base, user, password, database, connectTimeout: CONNECT_TIMEOUT_MS });
    } catch (e) {
      const err = serverError(e);
      return { ok: false, detail: `cannot connect as ${user} to database ${database}: ${err.code} ${err.message}` };
    }
    try {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS v, DATABASE() AS d');
      const version = String(rows[0]?.['v'] ?? 'unknown');
      return { ok: true, detail: `connected as ${user} to database ${String(rows[0]?.['d'] ?? database)} (MariaDB ${version})` };
    } catch (e) {
      const err = serverError(e);
      return { ok: false, detail: `connected as ${user} but the check query failed: ${err.code} ${err.message}` };
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  async function deprovision(name: string, p: Provisioned): Promise<void> {
    const names = mysqlNames(name);
    const database = stringField(p, 'database', names.database);
    const user = stringField(p, 'user', names.user);
    const conn = await admin();
    try {
      await conn.query(dropDatabaseSql(database));
      for (const host of MYSQL_USER_HOSTS) await conn.query(dropUserSql(user, host));
    } catch (e) {
      const err = serverError(e);
      throw new Hop3Error('E_ADDON_DEPROVISION_FAILED', `mysql addon ${name}: removing ${database} failed: ${err.code} ${err.message}`, {
        hint: 'Check the admin user has DROP and CREATE USER privileges, then run destroy again (it is idempotent).',
        details: { type: 'mysql', code: err.code, database, user },
      });
    } finally {
      conn.release();
    }
  }

  async function close(): Promise<void> {
    const p = pool;
    pool = undefined;
    if (p !== undefined) await p.end();
  }

  return {
    type: 'mysql',
    envKeys: MYSQL_ENV_KEYS,
    supportedBackupMethods: ['mysqldump'],
    provision,
    env,
    status,
    deprovision,
    close,
  };
}
