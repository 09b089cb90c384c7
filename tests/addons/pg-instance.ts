/**
 * A private PostgreSQL 15 for tests: initdb into a fresh temp dir owned by
 * the `postgres` OS user (the server refuses to run as root), the postmaster
 * spawned with that uid/gid on 127.0.0.1 at a free port in 30000-32699, its
 * unix socket and log inside the dir.
 *
 * Authentication: the `postgres` superuser is trusted on the local socket
 * (the admin connection the backend under test uses); every other role must
 * present a SCRAM password, on the socket and on 127.0.0.1.
 * The server's stderr (including log_statement output) goes to <dir>/postgres.log.
 * stop() ends exactly the postmaster this started (by its pid) and removes the dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../support/ports.ts';
import { waitExit } from '../support/process.ts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

export interface PgInstance {
  readonly dir: string;
  readonly port: number;
  /** The unix socket directory (a valid `host` for pg clients). */
  readonly socketDir: string;
  readonly adminUser: string;
  readonly pid: number;
  /** A superuser client over the socket (caller ends it). */
  admin(database?: string): Promise<pg.Client>;
  /** One query as the superuser; returns the rows. */
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[], database?: string): Promise<R[]>;
  /** The server log so far (statements too when log_statement is on). */
  log(): string;
  /** ALTER SYSTEM SET log_statement + reload. */
  setLogStatement(value: 'none' | 'ddl' | 'mod' | 'all'): Promise<void>;
  stop(): Promise<void>;
}

interface PgUser {
  readonly uid: number;
  readonly gid: number;
}

function postgresUser(): PgUser | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why the private instance cannot run here, or false when it can. */
export function pgUnavailable(): string | false {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'postgres'))) return `PostgreSQL 15 binaries not found in ${PG_BIN}`;
  if (process.getuid?.() !== 0) return 'needs root to run the server as the postgres OS user';
  if (postgresUser() === undefined) return 'no postgres OS user';
  return false;
}

async function waitReady(child: ChildProcess, dir: string, port: number, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    const c = new pg.Client({ host: dir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('postgres did not become ready within 30 s');
}

async function launch(dir: string, user: PgUser, logStatement: string): Promise<{ child: ChildProcess; port: number }> {
  const logFile = join(dir, 'postgres.log');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort({ min: 30000, max: 32699 });
    const fd = openSync(logFile, 'a');
    const child = spawn(
      join(PG_BIN, 'postgres'),
      ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', `log_statement=${logStatement}`,
        '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'logging_collector=off',
        '-c', 'password_encryption=scram-sha-256', '-c', 'max_connections=50', '-c', 'shared_buffers=16MB'],
      { uid: user.uid, gid: user.gid, stdio: ['ignore', fd, fd], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C' } },
    );
    closeSync(fd);
    try {
      await waitReady(child, dir, port, logFile);
      return { child, port };
    } catch (e) {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await waitExit(child, 5000);
      const bindFailed = /could not (bind|create listen socket)/.test(readFileSync(logFile, 'utf8'));
      if (!bindFailed || attempt >= 3) throw e;
    }
  }
}

export async function startPostgres(opts: { logStatement?: 'none' | 'all' } = {}): Promise<PgInstance> {
  const user = postgresUser();
  if (user === undefined) throw new Error('no postgres OS user');
  const dir = mkdtempSync(join(tmpdir(), 'hop3-pg-'));
  chownSync(dir, user.uid, user.gid);
  const init = spawnSync(join(PG_BIN, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8', timeout: 120_000, uid: user.uid, gid: user.gid, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C' },
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  writeFileSync(
    join(dir, 'data', 'pg_hba.conf'),
    ['local all postgres trust', 'local all all scram-sha-256', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
  );
  const { child, port } = await launch(dir, user, opts.logStatement ?? 'none').catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('postgres has no pid');

  async function admin(database = 'postgres'): Promise<pg.Client> {
    const c = new pg.Client({ host: dir, port, user: 'postgres', database });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  return {
    dir,
    port,
    socketDir: dir,
    adminUser: 'postgres',
    pid,
    admin,
    async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = [], database = 'postgres'): Promise<R[]> {
      const c = await admin(database);
      try {
        return (await c.query<R>(sql, values)).rows;
      } finally {
        await c.end();
      }
    },
    log: () => readFileSync(join(dir, 'postgres.log'), 'utf8'),
    async setLogStatement(value) {
      const c = await admin();
      try {
        await c.query(`ALTER SYSTEM SET log_statement = ${pg.escapeLiteral(value)}`);
        await c.query('SELECT pg_reload_conf()');
      } finally {
        await c.end();
      }
      await new Promise((r) => setTimeout(r, 200)); // backends pick the reload up at their next command
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGINT'); // fast shutdown
        if (!(await waitExit(child, 10_000))) {
          process.kill(pid, 'SIGKILL');
          await waitExit(child, 5000);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
