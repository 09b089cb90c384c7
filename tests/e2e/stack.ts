/**
 * The e2e stack: the CLI deploy stack (tests/cli/deploy-harness.ts: real
 * hop3-rootd, real nginx on a temp prefix and a port below 32768, a real
 * `hop3-server serve` child with a local uWSGI emperor) plus a logged-in CLI
 * user, the stack's on-disk places (derived from its temp layout), a
 * non-keep-alive load client, and an inventory of everything an app leaves
 * on the host (vassals, nginx site, release trees, logs, database rows).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { EXAMPLES, startDeployStack, type DeployStack } from '../cli/deploy-harness.ts';
import { cliUser, type CliUser, type Ran } from '../cli/harness.ts';

export { EXAMPLES };

export interface E2eStack {
  readonly stack: DeployStack;
  readonly user: CliUser;
  readonly siteDir: string;
  readonly vassalDir: string;
  readonly logDir: string;
  /** GET through nginx with this Host header (one connection, body decoded); status null when nginx closes it (444). */
  page(host: string, path?: string): Promise<{ status: number | null; body: string }>;
  /** The real CLI, logged in to this stack's server. */
  hop3(args: readonly string[], opts?: { cwd?: string }): Promise<Ran>;
  /** What of `app` is still on the host, by kind; every list empty means nothing is left. */
  leftovers(app: string, appId: number | null): Leftovers;
  /** The app's row id, or null when it has none. */
  appId(app: string): number | null;
  /** The nginx workers run as nobody: open the path down to a static release root (operators use a group). */
  openTree(app: string, release: number, root: string): void;
  stop(): Promise<void>;
}

export interface Leftovers {
  vassals: string[];
  sites: string[];
  trees: string[];
  logs: string[];
  rows: string[];
}

export async function startE2eStack(): Promise<E2eStack> {
  const stack = await startDeployStack();
  const user = cliUser();
  // makeServeConfig's layout: <dir>/apps is the app root, <dir>/nginx/sites rootd's site
  // dir, <dir>/runtime/{vassals,logs} the emperor's places (tests/cli/deploy-harness.ts).
  const dir = dirname(stack.appRoot);
  const siteDir = join(dir, 'nginx', 'sites');
  const vassalDir = join(dir, 'runtime', 'vassals');
  const logDir = join(dir, 'runtime', 'logs');
  for (const d of [siteDir, vassalDir, logDir]) assert.ok(existsSync(d), `the CLI deploy stack has no ${d}`);
  const login = await user.run(['login', '--server', stack.server.url, '--token', stack.server.token]);
  assert.equal(login.code, 0, login.stderr);
  const db = (): Database.Database => new Database(join(stack.server.dataDir, 'hop3.db'), { readonly: true, fileMustExist: true });
  const query = (sql: string, ...params: unknown[]): Array<Record<string, unknown>> => {
    const d = db();
    try {
      return d.prepare(sql).all(...params) as Array<Record<string, unknown>>;
    } finally {
      d.close();
    }
  };
  return {
    stack,
    user,
    siteDir,
    vassalDir,
    logDir,
    hop3: (args, opts = {}) => user.run(args, opts),
    page: (host, path = '/') => page(stack.nginxPort, host, path),
    appId(app) {
      const row = query('SELECT id FROM apps WHERE name = ?', app)[0];
      return typeof row?.['id'] === 'number' ? row['id'] : null;
    },
    leftovers(app, appId) {
      const rows: string[] = [];
      for (const r of query('SELECT name FROM apps WHERE name = ?', app)) rows.push(`apps ${String(r['name'])}`);
      if (appId !== null) {
        for (const table of ['releases', 'env_vars', 'domains']) {
          const n = query(`SELECT count(*) AS n FROM ${table} WHERE app_id = ?`, appId)[0]?.['n'];
          if (n !== 0) rows.push(`${table}: ${String(n)}`);
        }
      }
      return {
        vassals: readdirSync(vassalDir).filter((f) => f.startsWith(`${app}__`)),
        sites: readdirSync(siteDir).filter((f) => f === `${app}.conf`),
        trees: existsSync(join(stack.appRoot, app)) ? [join(stack.appRoot, app)] : [],
        logs: existsSync(join(logDir, app)) ? [join(logDir, app)] : [],
        rows,
      };
    },
    openTree(app, release, root) {
      let d = dir;
      chmodSync(d, 0o755);
      for (const part of ['apps', app, 'src', `r${release}`, ...root.split('/').filter((p) => p !== '' && p !== '.')]) {
        d = join(d, part);
        chmodSync(d, 0o755);
      }
      for (const f of readdirSync(d, { withFileTypes: true })) if (f.isFile()) chmodSync(join(d, f.name), 0o644);
    },
    async stop() {
      user.cleanup();
      await stack.stop();
    },
  };
}

function page(port: number, host: string, path: string): Promise<{ status: number | null; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000, headers: { host, connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? null, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.message === 'socket hang up' ? done({ status: null, body: '' }) : fail(e)));
    req.end();
  });
}

export const NOTHING: Leftovers = { vassals: [], sites: [], trees: [], logs: [], rows: [] };

/**
 * A loopback client: GET through nginx with the app's Host header, one new
 * connection per request (no keep-alive), back to back until stopped.
 * Anything but a 200 counts as a failure, with its reason.
 */
export function loadClient(nginxPort: number, host: string): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const one = (): Promise<void> =>
    new Promise((done) => {
      const req = request({ host: '127.0.0.1', port: nginxPort, path: '/', agent: false, timeout: 5000, headers: { host, connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed.push(`status ${res.statusCode}`);
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 5 s')));
      req.on('error', (e) => {
        failed.push(e.message);
        done();
      });
      req.end();
    });
  const loop = (async () => {
    while (running) await one();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ok, failed };
    },
  };
}

/** Polls `check` until it stops throwing (old releases stop just after a deploy reports), else rethrows its last error. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
