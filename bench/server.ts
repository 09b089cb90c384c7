/**
 * bench:server — the API foundation's cost per request and its idle memory.
 * Starts the real `hop3-server serve` as one esbuild bundle, as it is deployed
 * (not through tsx), on a temp data dir without rootd, with 20
 * apps holding env vars and domains, then measures, after a warm-up, over one
 * keep-alive connection: GET /v1/health (no auth), GET /v1/apps (token check
 * + database + response schema check), GET /v1/apps/<app>/env (decrypts every
 * value with show_secrets). The floor is a bare node:http server answering the
 * same JSON from another process, measured in the same run. RSS is read from
 * /proc after start-up (idle) and after the load.
 * --json: the last line is {"bench":"server","figures":{...}}.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO = resolve(import.meta.dirname, '..');
const WARMUP = 300;
const RUNS = 2000;
const json = process.argv.includes('--json');

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Math.round((Number(m[1]) / 1024) * 10) / 10;
}

function waitFor(proc: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp): Promise<string> {
  return new Promise((ok, fail) => {
    let buf = '';
    const timer = setTimeout(() => fail(new Error(`timed out waiting for ${re}: ${buf}`)), 30_000);
    proc[stream]?.on('data', (d: Buffer) => {
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

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function call(base: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${base}${path}`, { method, headers, agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function measure(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}
const pct = (s: readonly number[], p: number): number => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'hop3-bench-server-'));
const env: NodeJS.ProcessEnv = { ...process.env, HOP3_DATA_DIR: join(dir, 'data'), HOP3_LISTEN: '127.0.0.1:0', HOP3_ROOTD_SOCKET: join(dir, 'none.sock'), HOP3_LOG_LEVEL: 'warn' };
delete env['HOP3_CONFIG'];
const created = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', 'admin', 'create-token', 'bench'], { cwd: REPO, env, encoding: 'utf8' });
if (created.status !== 0) throw new Error(created.stderr);
const token = created.stdout.trim();

/**
 * The deployed layout: lib/server/hop3-server.mjs (the bundle), lib/server/migrations (read next to
 * the bundle), lib/package.json (the version), native and external packages from node_modules.
 */
function bundle(lib: string): string {
  mkdirSync(join(lib, 'server'), { recursive: true });
  const out = join(lib, 'server', 'hop3-server.mjs');
  execFileSync(join(REPO, 'node_modules', '.bin', 'esbuild'), [
    join(REPO, 'server', 'main.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20', '--log-level=warning',
    '--external:better-sqlite3',
    // jsonc-parser's UMD build requires its own files dynamically; yaml (CommonJS) needs a real
    // require for node: built-ins. Same flags as deploy/quickstart.sh and docs/server.md.
    '--main-fields=module,main',
    "--banner:js=import { createRequire as __hop3Require } from 'node:module'; const require = __hop3Require(import.meta.url);",
    `--outfile=${out}`,
  ]);
  cpSync(join(REPO, 'server', 'db', 'migrations'), join(lib, 'server', 'migrations'), { recursive: true });
  copyFileSync(join(REPO, 'package.json'), join(lib, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(lib, 'node_modules'));
  return out;
}
const entry = bundle(join(dir, 'lib'));

const server = spawn(process.execPath, [entry, 'serve'], { cwd: dir, env: { ...env, HOP3_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
const floor = spawn(
  process.execPath,
  ['-e', "const s=require('http').createServer((q,r)=>{r.setHeader('content-type','application/json');r.end(JSON.stringify({status:'ok',version:'0.1.0'}))});s.listen(0,'127.0.0.1',()=>console.log('port '+s.address().port))"],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const address = await waitFor(server, 'stderr', /"msg":"hop3-server listening","address":"([^"]+)"/);
  const floorPort = await waitFor(floor, 'stdout', /port (\d+)/);
  const base = `http://${address}`;
  await sleep(1000);
  const rssIdle = rssMb(server.pid as number);

  for (let i = 0; i < 20; i++) {
    const name = `app-${i}`;
    if ((await call(base, 'POST', '/v1/apps', token, { name })).status !== 201) throw new Error('create failed');
    await call(base, 'PATCH', `/v1/apps/${name}/env`, token, { set: { NODE_ENV: 'production', SECRET_KEY: `k${i}`, DATABASE_URL: `postgres://u:p@db/${name}` } });
    await call(base, 'POST', `/v1/apps/${name}/domains`, token, { hostname: `${name}.example.com` });
  }
  const health = await measure(() => call(base, 'GET', '/v1/health'));
  const apps = await measure(() => call(base, 'GET', '/v1/apps', token));
  const envShow = await measure(() => call(base, 'GET', '/v1/apps/app-7/env?show_secrets=true', token));
  const bare = await measure(() => call(`http://127.0.0.1:${floorPort}`, 'GET', '/'));
  const rssLoaded = rssMb(server.pid as number);

  const figures = {
    health_ms: { value: r3(pct(health, 0.5)), unit: 'ms' },
    health_p99_ms: { value: r3(pct(health, 0.99)), unit: 'ms' },
    apps_list_ms: { value: r3(pct(apps, 0.5)), unit: 'ms' },
    apps_list_p99_ms: { value: r3(pct(apps, 0.99)), unit: 'ms' },
    env_show_secrets_ms: { value: r3(pct(envShow, 0.5)), unit: 'ms' },
    floor_http_ms: { value: r3(pct(bare, 0.5)), unit: 'ms' },
    server_rss_idle_mb: { value: rssIdle, unit: 'MB' },
    server_rss_after_load_mb: { value: rssLoaded, unit: 'MB' },
  };
  console.log(`bench:server — bundled server, ${RUNS} requests each after ${WARMUP} warm-up, one keep-alive connection, 20 apps`);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(26)} ${String(v.value).padStart(9)} ${v.unit}`);
  if (json) console.log(JSON.stringify({ bench: 'server', figures }));
} finally {
  agent.destroy();
  server.kill('SIGTERM');
  floor.kill('SIGTERM');
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
