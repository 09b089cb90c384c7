/**
 * nginx ops against a real nginx (/usr/sbin/nginx) running as a plain
 * process on a temp prefix, listening on ports in 20000-29999, proxying to
 * node upstreams on loopback. The master is our child; the after hook stops
 * it by pid.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import {
  freeNginxPort,
  makeNginxEnv,
  openForWorkers,
  rawGet,
  realExec,
  startNginx,
  startUpstream,
  writeTestNginxConf,
  type NginxEnv,
  type RunningNginx,
  type Upstream,
} from './nginx-harness.ts';

let env: NginxEnv | undefined;
let nginx: RunningNginx | undefined;
const ups: Record<string, Upstream> = {};
let http = 0;
let https = 0;

const E = (): NginxEnv => {
  if (!env) throw new Error('no env');
  return env;
};

before(async () => {
  for (const name of ['web', 'admin', 'api', 'ghost', 'secure']) ups[name] = await startUpstream(name);
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    http = await freeNginxPort();
    https = await freeNginxPort();
    if (http === https) continue;
    const e = makeNginxEnv({ exec: realExec(), realNginx: true, httpPort: http, httpsPort: https });
    try {
      writeTestNginxConf(e.config);
      // rootd starts first: reconcile writes the default server and tests it; nginx is not running yet.
      const report = await e.reconcile();
      assert.deepEqual(report.errors, []);
      assert.ok(report.changes.some((c) => c.includes('not running')), JSON.stringify(report));
      nginx = await startNginx(e.config);
      env = e;
      return;
    } catch (err) {
      lastError = err;
      e.cleanup();
    }
  }
  throw lastError;
});

after(async () => {
  await nginx?.stop();
  for (const u of Object.values(ups)) await u.close();
  env?.cleanup();
});

const web = {
  app: 'web',
  hostnames: ['web.test', 'www.web.test'],
  upstream_ports: [0],
  endpoints: [
    { name: 'admin', port: 0, subdomain: 'admin' },
    { name: 'api', port: 0, path: '/api' },
  ],
};
const webSite = (): typeof web => ({
  ...web,
  upstream_ports: [ups['web']!.port],
  endpoints: [
    { name: 'admin', port: ups['admin']!.port, subdomain: 'admin' },
    { name: 'api', port: ups['api']!.port, path: '/api' },
  ],
});

test('an applied site is proxied to its upstream by Host, with its path and subdomain endpoints', async () => {
  const started = performance.now();
  const r = await E().call('nginx.apply_site', webSite());
  const ms = performance.now() - started;
  assert.equal(r.ok, true, JSON.stringify(r));
  console.log(`# apply_site against real nginx (test + reload + new generation): ${ms.toFixed(1)} ms`);
  const hello = await rawGet(http, 'web.test', '/hello');
  assert.equal(hello.status, 200);
  assert.equal(hello.body, 'web web.test /hello');
  assert.equal((await rawGet(http, 'www.web.test', '/')).body, 'web www.web.test /');
  assert.equal((await rawGet(http, 'admin.web.test', '/x')).body, 'admin admin.web.test /x');
  assert.equal((await rawGet(http, 'admin.www.web.test', '/')).body, 'admin admin.www.web.test /');
  assert.equal((await rawGet(http, 'web.test', '/api')).body, 'api web.test /api');
  assert.equal((await rawGet(http, 'web.test', '/api/v1/items')).body, 'api web.test /api/v1/items');
  assert.equal((await rawGet(http, 'web.test', '/apis')).body, 'web web.test /apis');
});

test('a request for an unknown Host gets 444: the connection is closed without a response', async () => {
  assert.deepEqual(await rawGet(http, 'unknown.test'), { status: null, headers: '', body: '' });
  assert.deepEqual(await rawGet(http, 'admin.unknown.test'), { status: null, headers: '', body: '' });
});

test('a site nginx -t rejects (garbage certificate files) gets E_NGINX_REJECTED and the previous site keeps serving', async () => {
  const { tls_dir: tlsDir, site_dir: siteDir } = E().config.nginx;
  writeFileSync(join(tlsDir, 'junk.crt'), 'this is not a certificate\n');
  writeFileSync(join(tlsDir, 'junk.key'), 'nor is this a key\n');
  const before = readFileSync(join(siteDir, 'web.conf'));
  const r = await E().call('nginx.apply_site', { ...webSite(), upstream_ports: [ups['ghost']!.port], tls: { cert_id: 'junk' } });
  assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
  assert.match(!r.ok ? r.message : '', /\[emerg\] cannot load certificate .*junk\.crt/);
  assert.ok(readFileSync(join(siteDir, 'web.conf')).equals(before));
  assert.deepEqual(E().state.current.nginx.sites['web']?.upstream_ports, [ups['web']!.port]);
  assert.equal((await rawGet(http, 'web.test', '/still')).body, 'web web.test /still');
});

function httpsGet(servername: string, path: string): Promise<{ status: number; body: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: https, path, servername, headers: { host: servername }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn: String(cert.subject?.CN ?? '') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('a TLS site serves HTTPS with its certificate pair and redirects plain HTTP to HTTPS', async () => {
  const tlsDir = E().config.nginx.tls_dir;
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=secure.test',
    '-keyout', join(tlsDir, 'secure.key'), '-out', join(tlsDir, 'secure.crt'),
  ], { stdio: 'ignore' });
  const r = await E().call('nginx.apply_site', { app: 'secure', hostnames: ['secure.test'], upstream_ports: [ups['secure']!.port], tls: { cert_id: 'secure' } });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(await httpsGet('secure.test', '/s'), { status: 200, body: 'secure secure.test /s', cn: 'secure.test' });
  const plain = await rawGet(http, 'secure.test', '/p?q=1');
  assert.equal(plain.status, 301);
  assert.match(plain.headers, new RegExp(`\\r\\nLocation: https://secure\\.test:${https}/p\\?q=1`, 'i'));
});

test('the HTTPS default server refuses the handshake for a name no site serves', async () => {
  await assert.rejects(httpsGet('unknown.test', '/'), /alert|handshake|ECONNRESET|socket hang up/i);
});

test('a static root is served by nginx directly and everything else falls back to the app', async () => {
  const e = E();
  const pub = join(e.config.app_root, 'web', 'src', 'public');
  mkdirSync(pub, { recursive: true });
  writeFileSync(join(pub, 'index.html'), 'static index\n');
  writeFileSync(join(pub, 'app.css'), 'body{}\n');
  openForWorkers(e.dir, e.config.app_root, join(e.config.app_root, 'web'), join(e.config.app_root, 'web', 'src'), pub);
  const r = await e.call('nginx.apply_site', { ...webSite(), static_root: 'public' });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal((await rawGet(http, 'web.test', '/app.css')).body, 'body{}\n');
  assert.equal((await rawGet(http, 'web.test', '/')).body, 'static index\n');
  assert.equal((await rawGet(http, 'web.test', '/dynamic')).body, 'web web.test /dynamic');
  assert.equal((await rawGet(http, 'web.test', '/api/x')).body, 'api web.test /api/x');
});

test('a static-only site (no upstream ports) serves its files, answers 404 for a missing one, and unknown hosts still get 444', async () => {
  const e = E();
  const pub = join(e.config.app_root, 'docs', 'src', 'site');
  mkdirSync(join(pub, 'guide'), { recursive: true });
  writeFileSync(join(pub, 'index.html'), 'docs index\n');
  writeFileSync(join(pub, 'page.html'), 'a page\n');
  writeFileSync(join(pub, 'guide', 'index.html'), 'guide index\n');
  openForWorkers(e.dir, e.config.app_root, join(e.config.app_root, 'docs'), join(e.config.app_root, 'docs', 'src'), pub, join(pub, 'guide'));
  const r = await e.call('nginx.apply_site', { app: 'docs', hostnames: ['docs.test'], static_root: 'site' });
  assert.equal(r.ok, true, JSON.stringify(r));
  const page = await rawGet(http, 'docs.test', '/page.html');
  assert.deepEqual([page.status, page.body], [200, 'a page\n']);
  const index = await rawGet(http, 'docs.test', '/');
  assert.deepEqual([index.status, index.body], [200, 'docs index\n']);
  assert.equal((await rawGet(http, 'docs.test', '/guide/')).body, 'guide index\n');
  const missing = await rawGet(http, 'docs.test', '/missing.html');
  assert.equal(missing.status, 404);
  assert.equal((await rawGet(http, 'docs.test', '/guide/missing/deeper')).status, 404);
  assert.deepEqual(await rawGet(http, 'unknown.test', '/page.html'), { status: null, headers: '', body: '' });
  assert.deepEqual(await rawGet(http, 'www.docs.test', '/page.html'), { status: null, headers: '', body: '' });
  assert.equal((await rawGet(http, 'web.test', '/dynamic')).body, 'web web.test /dynamic');
  assert.deepEqual(await E().call('nginx.remove_site', { app: 'docs' }), { ok: true, result: { removed: true } });
  assert.equal((await rawGet(http, 'docs.test', '/page.html')).status, null);
});

test('remove_site makes its hosts answer 444 again', async () => {
  assert.deepEqual(await E().call('nginx.remove_site', { app: 'web' }), { ok: true, result: { removed: true } });
  assert.equal((await rawGet(http, 'web.test')).status, null);
  assert.equal((await rawGet(http, 'admin.web.test')).status, null);
  assert.equal((await rawGet(http, 'secure.test')).status, 301);
});

async function eventually(fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('reconcile removes a stray marked file from live nginx and leaves an unmarked operator file alone', async () => {
  const e = E();
  const dir = e.config.nginx.site_dir;
  const operator = `# the operator's own vhost\nserver {\n    listen ${http};\n    server_name operator.test;\n    return 200 "operator\\n";\n}\n`;
  writeFileSync(join(dir, 'operator.conf'), operator);
  writeFileSync(
    join(dir, 'ghost.conf'),
    `# hop3-rootd managed: app=ghost\nserver {\n    listen ${http};\n    server_name ghost.test;\n    location / { proxy_pass http://127.0.0.1:${ups['ghost']!.port}; }\n}\n`,
  );
  // Load both behind rootd's back, as a crash or a stale file would have.
  process.kill(nginx!.pid, 'SIGHUP');
  await eventually(async () => (await rawGet(http, 'ghost.test')).body.startsWith('ghost '));

  const report = await e.reconcile();
  assert.deepEqual(report.errors, []);
  assert.ok(report.changes.some((c) => c.startsWith('removed') && c.includes('ghost.conf')), JSON.stringify(report));
  assert.ok(report.changes.includes('nginx tested and reloaded'));
  assert.equal(existsSync(join(dir, 'ghost.conf')), false);
  assert.equal(readFileSync(join(dir, 'operator.conf'), 'utf8'), operator);
  assert.equal((await rawGet(http, 'ghost.test')).status, null);
  assert.equal((await rawGet(http, 'operator.test')).body, 'operator\n');
  assert.equal((await rawGet(http, 'secure.test')).status, 301);
});

test('list_sites reports what state holds, in sync with the files on disk', async () => {
  const r = await E().call('nginx.list_sites', {});
  assert.deepEqual(r.ok && (r.result['sites'] as Array<{ app: string; in_sync: boolean }>).map((s) => [s.app, s.in_sync]), [['secure', true]]);
});
