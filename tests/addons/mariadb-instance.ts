/**
 * A private MariaDB for tests: a fresh datadir under a temp dir
 * (mariadb-install-db), mariadbd on 127.0.0.1 at a free port in 20000-29999
 * with its socket, pid file, error log and general (statement) log inside
 * that dir, and grants enforced. An admin user `hop3admin`@'127.0.0.1' with a
 * password and GRANT OPTION is what the backend under test connects as.
 * stop() ends exactly the mariadbd this started (by its pid) and removes
 * the dir. The system MariaDB on 3306 is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { freePort } from '../support/ports.ts';
import { waitExit } from '../support/process.ts';

export const MARIADBD = '/usr/sbin/mariadbd';
export const MARIADB_INSTALL_DB = '/usr/bin/mariadb-install-db';

export interface MariaDbInstance {
  readonly dir: string;
  readonly port: number;
  readonly socket: string;
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly pid: number;
  /** A root connection over the socket (for inspecting mysql.user, grants, SHOW DATABASES). */
  root(): Promise<Connection>;
  /** The general log's text so far (every statement the server received). */
  generalLog(): string;
  stop(): Promise<void>;
}

export function mariadbAvailable(): boolean {
  return existsSync(MARIADBD) && existsSync(MARIADB_INSTALL_DB);
}

function asRoot(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

async function waitReady(child: ChildProcess, socket: string, errLog: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = existsSync(errLog) ? readFileSync(errLog, 'utf8').slice(-2000) : '';
      throw new Error(`mariadbd exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    try {
      const c = await createConnection({ socketPath: socket, user: 'root', connectTimeout: 1000 });
      await c.end();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('mariadbd did not become ready within 30 s');
}

async function launch(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const socket = join(dir, 'sock');
  const errLog = join(dir, 'error.log');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        `--log-error=${errLog}`,
        '--general-log=1',
        `--general-log-file=${join(dir, 'general.log')}`,
        '--log-output=FILE',
        '--skip-name-resolve',
        '--innodb-buffer-pool-size=16M',
        '--innodb-log-file-size=8M',
        '--max-connections=50',
        ...asRoot(),
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitReady(child, socket, errLog);
      return { child, port };
    } catch (e) {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await waitExit(child, 5000);
      const bindFailed = existsSync(errLog) && /Can't start server: Bind on TCP\/IP port/.test(readFileSync(errLog, 'utf8'));
      if (!bindFailed || attempt >= 3) throw e;
    }
  }
}

/**
 * mariadb-install-db into a fresh datadir. Its bootstrap server can fail
 * transiently on a loaded machine (seen once in a full CI run); the failure
 * keeps the bootstrap's own log in the error, and one retry uses a new dir.
 */
function installDataDir(): string {
  let last = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'hop3-mariadb-'));
    const install = spawnSync(
      MARIADB_INSTALL_DB,
      ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asRoot()],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (install.status === 0) return dir;
    let logTail = '';
    try {
      const logs = readdirSync(join(dir, 'data')).filter((f) => f.endsWith('.err') || f.endsWith('.log'));
      logTail = logs.map((f) => readFileSync(join(dir, 'data', f), 'utf8').split('\n').slice(-15).join('\n')).join('\n');
    } catch {
      /* no datadir was created */
    }
    rmSync(dir, { recursive: true, force: true });
    last = `mariadb-install-db failed (${install.status}, attempt ${attempt}):\n${install.stdout}\n${install.stderr}\n${logTail}`;
  }
  throw new Error(last);
}

export async function startMariaDb(): Promise<MariaDbInstance> {
  const dir = installDataDir();
  const { child, port } = await launch(dir).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('mariadbd has no pid');
  const socket = join(dir, 'sock');
  const adminUser = 'hop3admin';
  const adminPassword = randomBytes(18).toString('base64url');

  const root = (): Promise<Connection> => createConnection({ socketPath: socket, user: 'root' });
  const setup = await root();
  // The harness's own admin: password over TCP, full rights with GRANT OPTION (what an operator configures).
  await setup.query('CREATE USER ?@? IDENTIFIED BY ?', [adminUser, '127.0.0.1', adminPassword]);
  await setup.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [adminUser, '127.0.0.1']);
  await setup.end();

  let stopped = false;
  return {
    dir,
    port,
    socket,
    adminUser,
    adminPassword,
    pid,
    root,
    generalLog: () => readFileSync(join(dir, 'general.log'), 'utf8'),
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGTERM');
        if (!(await waitExit(child, 20_000))) {
          process.kill(pid, 'SIGKILL');
          await waitExit(child, 5000);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
