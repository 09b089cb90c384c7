/**
 * The stack bench:deploy measures, in its deployed form: hop3-rootd (temp
 * socket, nft/mount as /bin/false) driving a real nginx on a temp prefix and a
 * port below 32768, hop3-server as one esbuild bundle (as the quick start and
 * the operator guide install it) with a local uWSGI emperor, and the hop3 CLI
 * as one esbuild bundle too. Only processes started here are stopped, by pid.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRootdStack } from '../tests/support/rootd-stack.ts';

export const REPO = resolve(import.meta.dirname, '..');
export const DOMAIN = 'hop3.bench';

/** esbuild flags shared with deploy/quickstart.sh (jsonc-parser's ESM build; a real require for CommonJS deps). */
const ESBUILD_FLAGS = [
  '--bundle', '--platform=node', '--format=esm', '--target=node20', '--log-level=warning', '--external:better-sqlite3',
  '--main-fields=module,main', "--banner:js=import { createRequire as __hop3Require } from 'node:module'; const require = __hop3Require(import.meta.url);",
];

function bundle(entry: string, out: string): void {
  execFileSync(join(REPO, 'node_modules', '.bin', 'esbuild'), [join(REPO, entry), ...ESBUILD_FLAGS, `--outfile=${out}`]);
}

export interface BenchStack {
  readonly nginxPort: number;
  readonly apiUrl: string;
  readonly token: string;
  readonly serverPid: number;
  /** Node arguments that run the bundled CLI. */
  readonly cli: string;
  /** A clean environment for the CLI, pointed at this server by HOP3_API_URL/HOP3_API_TOKEN. */
  readonly cliEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Math.round((Number(m[1]) / 1024) * 10) / 10;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOP3_') && !k.startsWith('XDG_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function waitForLine(proc: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`timed out waiting for ${re}: ${buf}`)), 30_000);
    proc.stderr?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = re.exec(buf);
      if (m !== null) {
        clearTimeout(timer);
        ok(m[1] ?? '');
      }
    });
    proc.on('exit', (code) => fail(new Error(`exited with ${code}: ${buf}`)));
  });
}

export async function startBenchStack(appPrefix: string): Promise<BenchStack> {
  const stack = await startRootdStack();
  const t = { dir: stack.dir, config: stack.config };
  const nginxPort = stack.nginxPort;
  const lib = join(t.dir, 'lib');
  mkdirSync(join(lib, 'server'), { recursive: true });
  bundle('server/main.ts', join(lib, 'server', 'hop3-server.mjs'));
  bundle('cli/main.ts', join(lib, 'cli', 'hop3.mjs'));
  cpSync(join(REPO, 'server', 'db', 'migrations'), join(lib, 'server', 'migrations'), { recursive: true });
  copyFileSync(join(REPO, 'package.json'), join(lib, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(lib, 'node_modules'));
  let server: ChildProcess | undefined;
  const stopAll = async (): Promise<void> => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      const kill = setTimeout(() => server?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    }
    await stack.stop([appPrefix]);
  };
  try {
    const portMin = 23000 + Math.floor(Math.random() * 20) * 300;
    const env = cleanEnv({
      HOP3_DATA_DIR: join(t.dir, 'data'), HOP3_LISTEN: '127.0.0.1:0', HOP3_ROOTD_SOCKET: t.config.socket.path, HOP3_DOMAIN: DOMAIN,
      HOP3_APP_ROOT: t.config.app_root, HOP3_EMPEROR: 'local', HOP3_VASSAL_DIR: stack.runtime.vassals, HOP3_RUN_DIR: stack.runtime.run,
      HOP3_APP_LOG_DIR: stack.runtime.logs, HOP3_APP_PORT_MIN: String(portMin), HOP3_APP_PORT_MAX: String(portMin + 299),
      HOP3_KEEP_RELEASES: '2', HOP3_APP_START_TIMEOUT: '30',
    });
    const entry = join(lib, 'server', 'hop3-server.mjs');
    const created = spawnSync(process.execPath, [entry, 'admin', 'create-token', 'bench'], { cwd: t.dir, env, encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`create-token: ${created.stderr}`);
    const token = created.stdout.trim();
    server = spawn(process.execPath, [entry, 'serve'], { cwd: t.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const address = await waitForLine(server, /"msg":"hop3-server listening","address":"([^"]+)"/);
    const apiUrl = `http://${address}`;
    return {
      nginxPort,
      apiUrl,
      token,
      serverPid: server.pid as number,
      cli: join(lib, 'cli', 'hop3.mjs'),
      cliEnv: cleanEnv({ HOME: t.dir, XDG_CONFIG_HOME: join(t.dir, 'cli'), HOP3_API_URL: apiUrl, HOP3_API_TOKEN: token }),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
