/**
 * Integration harness: a real hop3-server child process (temp data dir,
 * 127.0.0.1 port 0, no rootd) with a token made by `hop3-server admin
 * create-token`, and the real CLI run as `node --import tsx cli/main.ts`
 * with its own temp HOME / XDG_CONFIG_HOME.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeServeConfig, startServe, type ServeChild } from '../rootd/socket-harness.ts';

export const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'cli/main.ts');
const SERVER = join(REPO, 'server/main.ts');
/** The tsx loader by absolute URL, so the CLI also runs from a cwd outside the repository. */
const TSX = import.meta.resolve('tsx');

export function tempDir(prefix = 'hop3-cli-'): { dir: string; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The parent environment without any HOP3_* or XDG_* variable. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOP3_') && !k.startsWith('XDG_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runProcess(script: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; input?: string }): Promise<Ran> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', TSX, script, ...args], { cwd: opts.cwd ?? REPO, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', fail);
    p.on('close', (code) => done({ code, stdout, stderr }));
    p.stdin.end(opts.input ?? '');
  });
}

/** A CLI user: its own HOME and XDG_CONFIG_HOME, so credentials land in a temp dir. */
export interface CliUser {
  readonly home: string;
  readonly configHome: string;
  run(args: readonly string[], opts?: { env?: Record<string, string>; cwd?: string; input?: string }): Promise<Ran>;
  /** A long-running CLI (logs -f): read its output as it comes, stop it by pid. */
  start(args: readonly string[]): LiveCli;
  cleanup(): void;
}

export interface LiveCli {
  stdout(): string;
  /** Resolves once stdout matches re (rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM this CLI process; resolves with its exit code or signal. */
  stop(): Promise<number | string | null>;
}

export function cliUser(): CliUser {
  const t = tempDir('hop3-cli-home-');
  const configHome = join(t.dir, 'config');
  return {
    home: t.dir,
    configHome,
    run: (args, opts = {}) =>
      runProcess(CLI, args, {
        env: cleanEnv({ HOME: t.dir, XDG_CONFIG_HOME: configHome, ...opts.env }),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
        ...(opts.input === undefined ? {} : { input: opts.input }),
      }),
    start(args) {
      const p = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
        cwd: REPO,
        env: cleanEnv({ HOME: t.dir, XDG_CONFIG_HOME: configHome }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | string | null>((r) => p.on('exit', (code, signal) => r(code ?? signal)));
      return {
        stdout: () => out,
        async waitFor(re, timeoutMs = 20_000) {
          const deadline = Date.now() + timeoutMs;
          while (!re.test(out)) {
            if (Date.now() > deadline || p.exitCode !== null) throw new Error(`no ${re} in CLI output:\n${out}\nstderr:\n${err}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        },
        async stop() {
          if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
          return exited;
        },
      };
    },
    cleanup: t.cleanup,
  };
}

export interface RunningServer {
  readonly url: string;
  readonly token: string;
  readonly dataDir: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Start hop3-server on 127.0.0.1 port 0 with a temp data dir and a fresh
 * token; with `rootd`, also a real hop3-rootd whose binaries cannot touch the
 * host (tests/rootd/socket-harness.ts), for routes that need it (destroy).
 */
export async function startServer(opts: { rootd?: boolean; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const t = tempDir('hop3-cli-server-');
  let rootd: { child: ServeChild; cleanup(): void } | undefined;
  if (opts.rootd === true) {
    const rc = makeServeConfig();
    rootd = { child: await startServe(rc.configFile, rc.config.socket.path), cleanup: rc.cleanup };
  }
  const env = cleanEnv({
    HOP3_DATA_DIR: join(t.dir, 'data'),
    HOP3_ROOTD_SOCKET: rootd?.child.socket ?? join(t.dir, 'no-rootd.sock'),
    HOP3_LISTEN: '127.0.0.1:0',
    HOP3_DOMAIN: 'hop3.test',
    ...opts.env,
  });
  const created = await runProcess(SERVER, ['admin', 'create-token', 'cli-test'], { env });
  if (created.code !== 0) throw new Error(`create-token failed: ${created.stderr}`);
  const token = created.stdout.trim();
  const p: ChildProcess = spawn(process.execPath, ['--import', TSX, SERVER, 'serve'], { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  const address = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => {
      p.kill('SIGTERM');
      fail(new Error(`server did not start: ${stderr}`));
    }, 30_000);
    p.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"msg":"hop3-server listening","address":"([^"]+)"/.exec(stderr);
      if (m !== null) {
        clearTimeout(timer);
        ok(m[1] as string);
      }
    });
    void exited.then(() => fail(new Error(`server exited: ${stderr}`)));
  });
  return {
    url: `http://${address}`,
    token,
    dataDir: join(t.dir, 'data'),
    stderr: () => stderr,
    async stop() {
      p.kill('SIGTERM');
      const kill = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
      if (rootd !== undefined) {
        await rootd.child.stop();
        rootd.cleanup();
      }
      t.cleanup();
    },
  };
}

export function json<T = Record<string, unknown>>(r: Ran): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}
