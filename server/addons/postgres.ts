/**
 * The PostgreSQL addon backend: per addon, a LOGIN role and a database it
 * owns (derived identifiers, always quoted with escapeIdentifier).
 *
 * - The password is generated here and sent only as a client-computed
 *   SCRAM-SHA-256 verifier, so the plaintext never reaches the server's
 *   statement log.
 * - CONNECT on the database is revoked from PUBLIC: other addons' roles
 *   cannot open it. The role gets CREATE on the database and CREATE, USAGE on
 *   schema public (PG15 no longer grants CREATE on public to PUBLIC, and the
 *   schema is owned by pg_database_owner), so migrations can install trusted
 *   extensions themselves.
 * - Requested extensions (checked against the allow-list by the lifecycle
 *   service; the hard-deny set is re-checked here) are installed as the admin.
 * - A failed provision drops only what it created, then throws a Hop3Error.
 */
import pg from 'pg';
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import { DENIED_PG_EXTENSIONS } from '../../shared-protocol/config/pg-extensions.ts';
import { derivedIdentifier, type AddonBackend, type AddonHosts, type AddonStatus, type ProvisionOptions, type Provisioned } from './backend.ts';
import { generatePassword, scramSha256Verifier } from './postgres-scram.ts';

const { Client, escapeIdentifier, escapeLiteral } = pg;
type PgClient = InstanceType<typeof Client>;

export interface PostgresBackendConfig {
  /** Host name, IP, or a unix socket directory (starts with "/"). */
  readonly host: string;
  readonly port: number;
  /** A superuser (extensions are installed as it). */
  readonly adminUser: string;
  readonly adminPassword?: string;
  /** The database the admin connects to for role/database DDL (e.g. "postgres"). */
  readonly adminDatabase: string;
}

export const POSTGRES_ENV_KEYS = ['DATABASE_URL', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGHOST', 'PGPORT'] as const;

const CONNECT_TIMEOUT_MS = 10_000;

interface ServerError {
  readonly code: string;
  readonly message: string;
}

function serverError(e: unknown): ServerError {
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'UNKNOWN', message: e.message };
  }
  return { code: 'UNKNOWN', message: String(e) };
}

/** SQLSTATE classes 08 (connection) and 28 (authorization), plus socket errors (ECONNREFUSED, ...). */
function isConnectionError(code: string): boolean {
  return code.startsWith('08') || code.startsWith('28') || /^E[A-Z]+$/.test(code) || code === 'UNKNOWN';
}

function unreachable(cfg: PostgresBackendConfig, err: ServerError): Hop3Error {
  return new Hop3Error('E_ADDON_BACKEND_UNREACHABLE', `cannot reach the PostgreSQL admin connection at ${cfg.host}:${cfg.port}: ${err.code} ${err.message}`, {
    hint: 'Check the postgres addon backend settings (host, port, admin user and password) and that the server is running.',
    details: { type: 'postgres', code: err.code },
  });
}

function stringField(p: Provisioned, key: string, fallback: string): string {
  const v = p.resource[key];
  return typeof v === 'string' && v !== '' ? v : fallback;
}

/** A host as it goes into a URL (IPv6 literals in brackets). */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function createPostgresBackend(cfg: PostgresBackendConfig, hosts: AddonHosts): AddonBackend {
  async function adminClient(database: string): Promise<PgClient> {
    const c = new Client({
      host: cfg.host,
      port: cfg.port,
      user: cfg.adminUser,
      database,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...(cfg.adminPassword === undefined ? {} : { password: cfg.adminPassword }),
    });
    c.on('error', () => undefined); // a dropped idle connection must not crash the server
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => undefined);
      throw unreachable(cfg, serverError(e));
    }
    return c;
  }

  async function withAdmin<T>(database: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
    const c = await adminClient(database);
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  /** Drop the database (ending its sessions) and the role; both IF EXISTS. */
  async function dropAll(c: PgClient, database: string | undefined, role: string | undefined): Promise<void> {
    if (database !== undefined) {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await c.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)} WITH (FORCE)`);
    }
    if (role !== undefined) await c.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
  }

  async function provision(name: string, opts: ProvisionOptions): Promise<Provisioned> {
    const extensions = [...new Set(opts.extensions ?? [])];
    for (const e of extensions) {
      if (DENIED_PG_EXTENSIONS.has(e.toLowerCase())) {
        throw new Hop3Error('E_ADDON_EXTENSION_DENIED', `extension ${JSON.stringify(e)} is in the hard-deny set (filesystem, network or code execution)`, {
          hint: 'It cannot be enabled on any Hop3 install.',
        });
      }
    }
    const ident = derivedIdentifier(name);
    const role = escapeIdentifier(ident);
    const password = generatePassword();
    const verifier = scramSha256Verifier(password);
    let createdRole = false;
    let createdDb = false;
    let step = 'connect';
    const admin = await adminClient(cfg.adminDatabase);
    try {
      step = 'create role';
      // The verifier is a quoted literal (base64 and `$:` only); the plaintext never leaves this process.
      await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS CONNECTION LIMIT -1 PASSWORD ${escapeLiteral(verifier)}`);
      createdRole = true;
      step = 'create database';
      await admin.query(`CREATE DATABASE ${role} OWNER ${role} TEMPLATE template0`);
      createdDb = true;
      step = 'grant database privileges';
      await admin.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
      await admin.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${role} TO ${role}`);
      step = 'grant schema privileges';
      await withAdmin(ident, async (db) => {
        await db.query(`GRANT CREATE, USAGE ON SCHEMA public TO ${role}`);
        for (const e of extensions) {
          step = `create extension ${e}`;
          await db.query(`CREATE EXTENSION IF NOT EXISTS ${escapeIdentifier(e)}`);
        }
      });
    } catch (e) {
      const err = isHop3Error(e) ? { code: e.code, message: e.message } : serverError(e);
      await dropAll(admin, createdDb ? ident : undefined, createdRole ? ident : undefined).catch(() => undefined);
      await admin.end().catch(() => undefined);
      if (isHop3Error(e)) throw e;
      // duplicate_object (role), duplicate_database; a concurrent CREATE of the same name surfaces as unique_violation on the catalog.
      const exists = err.code === '42710' || err.code === '42P04' || (err.code === '23505' && (step === 'create role' || step === 'create database'));
      const noExtension = err.code === '0A000' || err.code === '58P01' || err.code === '42704';
      throw new Hop3Error(
        exists ? 'E_ADDON_RESOURCE_EXISTS' : 'E_ADDON_PROVISION_FAILED',
        `postgres addon ${name}: ${step} failed for ${ident}: ${err.code} ${err.message}`,
        {
          hint: exists
            ? `A role or database named ${ident} already exists on the server (not created by this addon); pick another addon name or remove it.`
            : noExtension
              ? 'The extension is not installed on the PostgreSQL server; ask the operator to install its package.'
              : 'Check the PostgreSQL server log; nothing was left behind.',
          details: { type: 'postgres', step, code: err.code },
        },
      );
    }
    await admin.end().catch(() => undefined);
    return {
      resource: { database: ident, user: ident, extensions: extensions.join(',') },
      secrets: { password },
    };
  }

  function env(name: string, p: Provisioned): Record<string, string> {
    const ident = derivedIdentifier(name);
    const database = stringField(p, 'database', ident);
    const user = stringField(p, 'user', ident);
    const password = p.secrets['password'] ?? '';
    const host = hosts.appHost('postgres');
    const port = String(cfg.port);
    return {
      DATABASE_URL: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${urlHost(host)}:${port}/${encodeURIComponent(database)}`,
      PGDATABASE: database,
      PGUSER: user,
      PGPASSWORD: password,
      PGHOST: host,
      PGPORT: port,
    };
  }

  async function status(name: string, p: Provisioned): Promise<AddonStatus> {
    const e = env(name, p);
    const c = new Client({
      host: e['PGHOST'] ?? '127.0.0.1',
      port: cfg.port,
      user: e['PGUSER'] ?? '',
      password: e['PGPASSWORD'] ?? '',
      database: e['PGDATABASE'] ?? '',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const r = await c.query<{ user: string; db: string; version: string }>(
        "SELECT current_user AS user, current_database() AS db, current_setting('server_version') AS version",
      );
      const row = r.rows[0];
      if (row === undefined) return { ok: false, detail: 'the server answered no row' };
      return { ok: true, detail: `connected as ${row.user} to database ${row.db} (PostgreSQL ${row.version})` };
    } catch (err) {
      const s = serverError(err);
      return { ok: false, detail: `cannot connect as ${e['PGUSER'] ?? ''} to ${e['PGDATABASE'] ?? ''}: ${s.code} ${s.message}` };
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async function deprovision(name: string, p: Provisioned): Promise<void> {
    const ident = derivedIdentifier(name);
    const database = stringField(p, 'database', ident);
    const user = stringField(p, 'user', ident);
    await withAdmin(cfg.adminDatabase, async (c) => {
      try {
        await dropAll(c, database, user);
      } catch (e) {
        const err = serverError(e);
        if (isConnectionError(err.code)) throw unreachable(cfg, err);
        throw new Hop3Error('E_ADDON_DEPROVISION_FAILED', `postgres addon ${name}: removing ${database} failed: ${err.code} ${err.message}`, {
          hint: 'Check the PostgreSQL server log; retrying is safe.',
          details: { type: 'postgres', code: err.code },
        });
      }
    });
  }

  return {
    type: 'postgres',
    envKeys: POSTGRES_ENV_KEYS,
    supportedBackupMethods: ['pg_dump'],
    provision,
    env,
    status,
    deprovision,
    close: async () => undefined,
  };
}
