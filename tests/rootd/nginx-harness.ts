/**
 * Test harness for the nginx family: a temp rootd config + state, the real
 * handlers behind the same schema checks dispatch applies, a recording fake
 * Exec, and a real nginx master on a temp prefix (ports below 32768) with
 * tiny node upstreams. Only processes started here are stopped, by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { COMMON_ERRORS, isHop3Error } from '../../shared-protocol/errors.ts';
import { NGINX_OPS } from '../../shared-protocol/ops/nginx.ts';
import type { RootdConfig } from '../../rootd/config.ts';
import { createExec, type Exec, type ExecRequest, type ExecResult } from '../../rootd/exec.ts';
import { StateStore } from '../../rootd/state.ts';
import { createNginxHandlers, reconcileNginx, type NginxDeps } from '../../rootd/ops/nginx.ts';
import type { MasterProbe } from '../../rootd/ops/nginx-master.ts';
import type { ReconcileReport } from '../../rootd/ops/types.ts';
import { makeTempRootdConfig, ROOT_PEER } from './helpers.ts';
import { freePort } from '../support/ports.ts';

export type Reply = { ok: true; result: Record<string, unknown> } | { ok: false; code: string; message: string };

const compiled = new Map(
  NGINX_OPS.map((op) => [op.name, { def: op, params: TypeCompiler.Compile(op.params), result: TypeCompiler.Compile(op.result) }]),
);

export interface NginxEnv {
  readonly dir: string;
  readonly config: RootdConfig;
  readonly state: StateStore;
  readonly deps: NginxDeps;
  /** Schema check (as dispatch does, no coercion), then the real handler; asserts the result schema and declared codes. */
  call(op: string, params: unknown): Promise<Reply>;
  reconcile(): Promise<ReconcileReport>;
  cleanup(): void;
}

export interface EnvOptions {
  readonly exec: Exec;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  /** Set nginx.pid_file / prefix / error_log for a real nginx under <dir>/nginx. */
  readonly realNginx?: boolean;
  readonly probe?: MasterProbe;
  readonly reloadTimeoutMs?: number;
}

export function makeNginxEnv(opts: EnvOptions): NginxEnv {
  const base = makeTempRootdConfig();
  const ngx = join(base.dir, 'nginx');
  const nginx: RootdConfig['nginx'] = {
    ...base.config.nginx,
    http_port: opts.httpPort ?? 20080,
    https_port: opts.httpsPort ?? 20443,
    ...(opts.realNginx ? { prefix: ngx, pid_file: join(ngx, 'nginx.pid'), error_log: join(ngx, 'error.log') } : {}),
  };
  const config: RootdConfig = { ...base.config, nginx };
  const state = StateStore.open(config.state_file);
  const deps: NginxDeps = { exec: opts.exec, state, nginx, appRoot: config.app_root,
    ...(opts.probe ? { probe: opts.probe } : {}),
    ...(opts.reloadTimeoutMs !== undefined ? { reloadTimeoutMs: opts.reloadTimeoutMs } : {}),
  };
  const handlers = createNginxHandlers(deps) as unknown as Record<string, (p: unknown, ctx: unknown) => Promise<unknown>>;
  const ctx = { peer: ROOT_PEER, requestId: 'test' };
  return {
    dir: base.dir,
    config,
    state,
    deps,
    async call(op, params) {
      const c = compiled.get(op as never);
      const handler = handlers[op];
      if (!c || !handler) throw new Error(`no nginx op ${op}`);
      if (!c.params.Check(params)) {
        const first = c.params.Errors(params).First();
        return { ok: false, code: 'E_INVALID_PARAMS', message: `${first?.path}: ${first?.message}` };
      }
      try {
        const result = await handler(params, ctx);
        if (!c.result.Check(result)) throw new Error(`${op} returned a result outside its schema: ${JSON.stringify(result)}`);
        return { ok: true, result: result as Record<string, unknown> };
      } catch (e) {
        if (!isHop3Error(e)) throw e;
        if (!(c.def.errors as readonly string[]).includes(e.code) && !(e.code in COMMON_ERRORS)) {
          throw new Error(`${op} returned ${e.code}, which it does not declare`);
        }
        return { ok: false, code: e.code, message: e.message };
      }
    },
    reconcile: () => reconcileNginx(deps),
    cleanup: base.cleanup,
  };
}

/** A fake Exec that records every call and answers with `answer` (default: success). */
export function fakeExec(answer: (req: ExecRequest, n: number) => ExecResult | Promise<ExecResult> = () => ({ code: 0, stdout: '', stderr: '' })): Exec & {
  calls: ExecRequest[];
} {
  const calls: ExecRequest[] = [];
  const exec = async (req: ExecRequest): Promise<ExecResult> => {
    calls.push(req);
    return answer(req, calls.length - 1);
  };
  return Object.assign(exec, { calls });
}

// ---------------------------------------------------------------- real nginx

/** A free port in 20000-29999, probed on 0.0.0.0 (nginx listens on all addresses). */
export const freeNginxPort = (): Promise<number> => freePort({ min: 20000, max: 29999, host: '0.0.0.0' });

export const NGINX_BIN = '/usr/sbin/nginx';

/** A free TCP port in 20000-29999 (probed by binding 127.0.0.1 and 0.0.0.0). */
/** The test instance's main conf: everything inside the prefix, workers as nobody when run as root. */
export function writeTestNginxConf(config: RootdConfig): void {
  const p = config.nginx.prefix;
  if (p === undefined) throw new Error('real nginx needs a prefix');
  mkdirSync(join(p, 'tmp'), { recursive: true });
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;\n' : '';
  writeFileSync(
    config.nginx.conf,
    `${user}worker_processes 1;
pid ${config.nginx.pid_file};
error_log ${config.nginx.error_log} info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${p}/tmp/body;
    proxy_temp_path ${p}/tmp/proxy;
    fastcgi_temp_path ${p}/tmp/fastcgi;
    uwsgi_temp_path ${p}/tmp/uwsgi;
    scgi_temp_path ${p}/tmp/scgi;
    server_names_hash_bucket_size 128;
    include ${config.nginx.site_dir}/*.conf;
}
`,
  );
}

export interface RunningNginx {
  readonly pid: number;
  stop(): Promise<void>;
}

/** Start nginx in the foreground (daemon off) so its master is our child; resolves once the pid file names it. */
export async function startNginx(config: RootdConfig): Promise<RunningNginx> {
  const { prefix, conf, error_log: errorLog, pid_file: pidFile } = config.nginx;
  if (prefix === undefined || pidFile === undefined || errorLog === undefined) throw new Error('real nginx needs prefix, pid_file, error_log');
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', prefix, '-c', conf, '-e', errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error('nginx did not start');
  const deadline = Date.now() + 5000;
  for (;;) {
    const done = await Promise.race([exited, new Promise<'wait'>((r) => setTimeout(() => r('wait'), 25))]);
    if (done !== 'wait') throw new Error(`nginx exited (${done}): ${stderr.trim() || readLog(errorLog)}`);
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(pid)) break;
    if (Date.now() > deadline) throw new Error(`nginx did not write ${pidFile}`);
  }
  return {
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no error log)';
  }
}

export interface Upstream {
  readonly port: number;
  close(): Promise<void>;
}

/** A tiny HTTP upstream on 127.0.0.1 (port 0 read back) answering "<name> <host> <path>". */
export async function startUpstream(name: string): Promise<Upstream> {
  const server: Server = createHttpServer((req, res) => {
    const body = `${name} ${req.headers.host ?? ''} ${req.url ?? ''}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return {
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  /** null when the server closed the connection without sending a byte (nginx 444). */
  readonly status: number | null;
  readonly headers: string;
  readonly body: string;
}

/** One HTTP/1.1 request over a raw socket, so "closed with no response" is observable exactly. */
export function rawGet(port: number, host: string, path = '/'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    sock.setTimeout(5000, () => sock.destroy(new Error('timeout')));
    sock.on('connect', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve({ status: null, headers: '', body: '' });
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
      resolve({ status, headers: head, body: rest.join('\r\n\r\n') });
    });
  });
}

/** Make the temp tree traversable by nginx workers (nobody) for static files. */
export function openForWorkers(...dirs: string[]): void {
  for (const d of dirs) chmodSync(d, 0o755);
}

/** The real exec wrapper, with the same binaries makeTempRootdConfig names. */
export const realExec = (): Exec =>
  createExec({ nft: '/usr/sbin/nft', mount: '/usr/bin/mount', umount: '/usr/bin/umount', nginx: NGINX_BIN }, 15_000);

export interface LiveNginx {
  readonly env: NginxEnv;
  readonly nginx: RunningNginx;
  readonly http: number;
  readonly https: number;
  /** Stop nginx (by pid) and remove the temp tree. */
  stop(): Promise<void>;
}

/**
 * rootd first (reconcile writes and tests the default server while nginx is
 * down), then a real nginx master as our child, on free ports in 20000-29999.
 */
export async function startLiveNginx(): Promise<LiveNginx> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const http = await freeNginxPort();
    const https = await freeNginxPort();
    if (http === https) continue;
    const env = makeNginxEnv({ exec: realExec(), realNginx: true, httpPort: http, httpsPort: https });
    try {
      writeTestNginxConf(env.config);
      const report = await env.reconcile();
      if (report.errors.length > 0) throw new Error(`reconcile: ${report.errors.join('; ')}`);
      const nginx = await startNginx(env.config);
      return { env, nginx, http, https, stop: async () => { await nginx.stop(); env.cleanup(); } };
    } catch (err) {
      lastError = err;
      env.cleanup();
    }
  }
  throw lastError;
}
