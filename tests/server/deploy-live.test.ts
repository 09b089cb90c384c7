/**
 * The deploy pipeline end to end with real rootd, nginx and uWSGI: first
 * deploy, zero-downtime redeploy, and failures that leave the previous
 * release serving (health check, config error, unsupported sections).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { EXAMPLES, eventually, startDeployHarness, stepsOf, type DeployHarness } from './deploy-harness.ts';

let h: DeployHarness;
let work: string;
before(async () => {
  h = await startDeployHarness();
  work = mkdtempSync(join(tmpdir(), 'hop3-deploy-apps-'));
});
after(async () => {
  await h?.stop();
});

/** A copy of an example with hop3.toml replaced (or extended). */
function variant(example: string, toml: string): string {
  const dir = mkdtempSync(join(work, `${example}-`));
  cpSync(join(EXAMPLES, example), dir, { recursive: true });
  writeFileSync(join(dir, 'hop3.toml'), toml);
  return dir;
}

const NODE_TOML = '[run]\nstart = "node server.js"\n\n[healthcheck]\npath = "/health"\n';

async function vassalsOf(app: string): Promise<string[]> {
  return readdirSync(h.vassalDir).filter((f) => f.startsWith(`${app}__`)).sort();
}

test('a first deploy of node-nodep goes live through every step, and nginx routes its host name to it', async () => {
  const app = h.appName('first');
  const out = await h.deploy(app, join(EXAMPLES, 'node-nodep'));
  assert.equal(out.status, 202, JSON.stringify(out.error));
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
  assert.deepEqual(stepsOf(out.events), ['receive:ok', 'config:ok', 'build:ok', 'env:ok', 'start:ok', 'health:ok', 'switch:ok', 'record:ok']);
  assert.equal(out.end?.url, `http://${app}.hop3.test/`);
  assert.ok(out.events.some((e) => e.event === 'log' && JSON.parse(e.data).source === 'app'), 'app log lines stream during the health check');
  const r = await h.get(`${app}.hop3.test`);
  assert.equal(r.status, 200);
  assert.match(r.body, /hello from node-nodep/);
  const list = (await h.api('GET', `/v1/apps/${app}/releases`)).json as { releases: Array<{ status: string; current: boolean; steps: Array<{ step: string; duration_ms: number }>; env_keys: string[]; config_hash: string }> };
  assert.equal(list.releases.length, 1);
  assert.equal(list.releases[0]?.status, 'live');
  assert.equal(list.releases[0]?.current, true);
  assert.equal(list.releases[0]?.steps.length, 8);
  assert.match(list.releases[0]?.config_hash ?? '', /^[0-9a-f]{64}$/);
  console.log(`first deploy: ${Math.round(out.ms)} ms; steps ${list.releases[0]?.steps.map((s) => `${s.step} ${s.duration_ms}`).join(', ')}`);
  assert.deepEqual(readdirSync(join(h.appRoot, app, 'src')), ['r1']);
  assert.deepEqual(await vassalsOf(app), [`${app}__r1__web__1.ini`]);
});

/** GETs through nginx one connection at a time (no keep-alive) until stopped; counts failures. */
function poller(host: string): { stop(): Promise<{ ok: number; failed: string[] }> } {
  let running = true;
  const failed: string[] = [];
  let ok = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: h.nginxPort, path: '/', headers: { host }, agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed.push(`status ${res.statusCode}`);
          resolve();
        });
      });
      req.on('error', (e) => {
        failed.push(e.message);
        resolve();
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

test('a redeploy switches to the new release with no failed request, stops the old one and keeps its tree for rollback', async () => {
  const app = h.appName('redeploy');
  assert.equal((await h.deploy(app, join(EXAMPLES, 'node-nodep'))).end?.status, 'live');
  const before = (await h.get(`${app}.hop3.test`)).body;
  const load = poller(`${app}.hop3.test`);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await h.deploy(app, join(EXAMPLES, 'node-nodep'));
    assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
    times.push(Math.round(out.ms));
  }
  const { ok, failed } = await load.stop();
  console.log(`redeploys: ${times.join(', ')} ms; ${ok} requests during them, ${failed.length} failed`);
  assert.deepEqual(failed, []);
  assert.ok(ok > 10, `only ${ok} requests made it`);
  const after = (await h.get(`${app}.hop3.test`)).body;
  assert.notEqual(after, before, 'a new process (pid) answers');
  await eventually(async () => assert.deepEqual(await vassalsOf(app), [`${app}__r4__web__1.ini`]));
  // keep_releases = 2: the current tree and the two newest superseded ones
  assert.deepEqual(readdirSync(join(h.appRoot, app, 'src')).sort(), ['r2', 'r3', 'r4']);
});

test('a failing health check keeps the previous release serving, and says why', async () => {
  const app = h.appName('unhealthy');
  assert.equal((await h.deploy(app, join(EXAMPLES, 'node-nodep'))).end?.status, 'live');
  const out = await h.deploy(app, join(EXAMPLES, 'failing-health'));
  assert.equal(out.end?.status, 'failed');
  assert.equal(out.end?.error?.code, 'E_HEALTHCHECK_FAILED');
  assert.match(out.end?.error?.message ?? '', /500/);
  assert.ok((out.end?.error?.hint ?? '').length > 0);
  assert.deepEqual(stepsOf(out.events).slice(-1), ['health:failed']);
  const r = await h.get(`${app}.hop3.test`);
  assert.equal(r.status, 200);
  assert.match(r.body, /hello from node-nodep/);
  assert.deepEqual(await vassalsOf(app), [`${app}__r1__web__1.ini`]);
  assert.equal(existsSync(join(h.appRoot, app, 'src', 'r2')), false);
  const rel = (await h.api('GET', `/v1/apps/${app}/releases`)).json as { releases: Array<{ number: number; status: string; error: { code: string } | null }> };
  assert.deepEqual(rel.releases.map((x) => [x.number, x.status, x.error?.code ?? null]), [[2, 'failed', 'E_HEALTHCHECK_FAILED'], [1, 'live', null]]);
});

test('a config error fails before anything changes: no build, no process, the previous release untouched', async () => {
  const app = h.appName('badconf');
  assert.equal((await h.deploy(app, join(EXAMPLES, 'node-nodep'))).end?.status, 'live');
  const out = await h.deploy(app, variant('node-nodep', '[run]\nstart = "node server.js"\nstrat_timeout = 3\n'));
  assert.equal(out.end?.status, 'failed');
  assert.equal(out.end?.error?.code, 'E_APP_CONFIG_INVALID');
  assert.deepEqual(stepsOf(out.events), ['receive:ok', 'config:failed']);
  assert.deepEqual(await vassalsOf(app), [`${app}__r1__web__1.ini`]);
  assert.deepEqual(readdirSync(join(h.appRoot, app, 'src')), ['r1']);
  assert.equal((await h.get(`${app}.hop3.test`)).status, 200);
});

test('sections the server cannot honour fail the deploy loudly, naming the section, and [limits] fails with the cgroup error of this host', async () => {
  const app = h.appName('unsupported');
  const vol = await h.deploy(app, variant('node-nodep', `${NODE_TOML}\n[[volumes]]\nname = "data"\ntarget = "data"\n`));
  assert.equal(vol.end?.error?.code, 'E_CONFIG_UNSUPPORTED');
  assert.match(vol.end?.error?.message ?? '', /\[\[volumes\]\]/);
  const limits = await h.deploy(app, variant('node-nodep', `${NODE_TOML}\n[limits]\nmemory = "256M"\n`));
  assert.equal(limits.end?.status, 'failed');
  assert.equal(limits.end?.error?.code, 'E_CGROUP_V2_UNAVAILABLE');
  assert.deepEqual(await vassalsOf(app), []);
  const status = (await h.api('GET', `/v1/apps/${app}/status`)).json as { app: { state: string }; release: unknown };
  assert.equal(status.app.state, 'failed');
  assert.equal(status.release, null);
});

test('a refused upload answers its code and leaves no app, release or tree behind', async () => {
  const app = h.appName('refused');
  const res = await fetch(`${h.url}/v1/apps/${app}/deploys`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/gzip' }, body: 'not a gzip stream' });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'E_UPLOAD_CORRUPT');
  assert.equal((await h.api('GET', `/v1/apps/${app}`)).status, 404);
  assert.equal(existsSync(join(h.appRoot, app, 'src', 'r1')), false);
  const json = await fetch(`${h.url}/v1/apps/${app}/deploys`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 415);
});
