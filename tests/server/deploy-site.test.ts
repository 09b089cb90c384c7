/**
 * What nginx serves for an app, with real rootd, nginx and uWSGI: a static
 * site from its release tree, a worker app next to its web process, domain
 * changes re-applied at once, and the startup reconcile.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reconcileApps } from '../../server/deploy/reconcile.ts';
import { createRelease, updateRelease } from '../../server/deploy/releases-repo.ts';
import { siteParams } from '../../server/deploy/site.ts';
import { findApp } from '../../server/services/apps.ts';
import { EXAMPLES, startDeployHarness, type DeployHarness } from './deploy-harness.ts';

let h: DeployHarness;
before(async () => {
  h = await startDeployHarness();
});
after(async () => {
  await h?.stop();
});

/** The test nginx workers run as nobody: open the path down to the release tree (operators use a group). */
function openTree(app: string): void {
  let dir = h.dir;
  chmodSync(dir, 0o755);
  for (const part of [h.appRoot.slice(h.dir.length + 1), app, 'src', 'r1', 'public']) {
    dir = join(dir, part);
    chmodSync(dir, 0o755);
  }
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
}

test('a static site goes live without processes and nginx serves its root from the release tree', async () => {
  const app = h.appName('static');
  const out = await h.deploy(app, join(EXAMPLES, 'static'));
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
  assert.deepEqual(readdirSync(h.vassalDir).filter((f) => f.startsWith(`${app}__`)), []);
  const site = readFileSync(join(h.siteDir, `${app}.conf`), 'utf8');
  assert.ok(site.includes(`/${app}/src/r1/public`), site);
  // Static-only: no upstream group (no placeholder port), no app fallback.
  assert.doesNotMatch(site, /upstream|proxy_pass|127\.0\.0\.1/, site);
  openTree(app);
  const r = await h.get(`${app}.hop3.test`, '/index.html');
  assert.equal(r.status, 200);
  assert.match(r.body, /<html/i);
  assert.equal((await h.get(`${app}.hop3.test`, '/')).status, 200);
  const missing = await h.get(`${app}.hop3.test`, '/no-such-page.html');
  assert.equal(missing.status, 404, missing.body);
});

test('the apply_site params carry every web port (sorted), the static root, or both, and never a placeholder port', () => {
  const hostnames = ['a.hop3.test'];
  assert.deepEqual(siteParams('a', { hostnames, ports: [], staticRoot: 'r1/public' }), { app: 'a', hostnames, static_root: 'r1/public' });
  assert.deepEqual(siteParams('a', { hostnames, ports: [20002, 20001], staticRoot: null }), { app: 'a', hostnames, upstream_ports: [20001, 20002] });
  assert.deepEqual(siteParams('a', { hostnames, ports: [20001], staticRoot: 'r1/public' }), { app: 'a', hostnames, upstream_ports: [20001], static_root: 'r1/public' });
});

test('a web + worker app runs both process types, and only web copies are behind nginx', async () => {
  const app = h.appName('worker');
  const out = await h.deploy(app, join(EXAMPLES, 'worker'));
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error));
  assert.deepEqual(readdirSync(h.vassalDir).filter((f) => f.startsWith(`${app}__`)).sort(), [`${app}__r1__web__1.ini`, `${app}__r1__worker__1.ini`]);
  assert.equal((await h.get(`${app}.hop3.test`, '/health')).status, 200);
});

test('adding a domain to a running app re-applies its site at once', async () => {
  const app = h.appName('domains');
  assert.equal((await h.deploy(app, join(EXAMPLES, 'node-nodep'))).end?.status, 'live');
  const add = await h.api('POST', `/v1/apps/${app}/domains`, { hostname: `www.${app}.example` });
  assert.equal(add.status, 200, JSON.stringify(add.json));
  assert.equal((await h.get(`www.${app}.example`)).status, 200);
  const status = (await h.api('GET', `/v1/apps/${app}/status`)).json as { url: string };
  assert.equal(status.url, `http://www.${app}.example/`);
});

test('the startup reconcile starts a running app whose processes are gone, and fails deploys left unfinished', async () => {
  const app = h.appName('reconcile');
  assert.equal((await h.deploy(app, join(EXAMPLES, 'node-nodep'))).end?.status, 'live');
  await h.ext.deps.runtime.manager.stopApp(app);
  assert.equal((await h.get(`${app}.hop3.test`)).status, 502);
  const row = findApp(h.server.context.db, app);
  assert.ok(row !== undefined);
  const stuck = createRelease(h.server.context.db, row, { releaseDir: join(h.appRoot, app, 'src', 'r2'), createdBy: null, createdAt: new Date() });
  updateRelease(h.server.context.db, stuck.id, { status: 'building' });
  const report = await reconcileApps(h.ext.deps);
  assert.ok(report.restarted.includes(app), JSON.stringify(report));
  assert.equal(report.interrupted, 1);
  assert.equal((await h.get(`${app}.hop3.test`)).status, 200);
  const rel = (await h.api('GET', `/v1/apps/${app}/releases`)).json as { releases: Array<{ number: number; status: string; error: { code: string } | null }> };
  assert.deepEqual(rel.releases.map((x) => [x.number, x.status, x.error?.code ?? null]), [[2, 'failed', 'E_DEPLOY_INTERRUPTED'], [1, 'live', null]]);
});
