/**
 * Every example app through the real CLI (`hop3 deploy` from the app's own
 * directory, the name from its [metadata].id) against real rootd, nginx,
 * uWSGI emperor and server, each requested through nginx with its Host
 * header; then `hop3 app destroy` leaves nothing of any of them on the host.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXAMPLES, NOTHING, startE2eStack, type E2eStack } from './stack.ts';

let e: E2eStack;
before(async () => {
  e = await startE2eStack();
});
after(async () => {
  await e?.stop();
});

const deployed = new Map<string, number | null>();

async function deployExample(name: string, extra: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  e.stack.track(name);
  const r = await e.hop3(['deploy', ...extra], { cwd: join(EXAMPLES, name) });
  deployed.set(name, e.appId(name));
  return r;
}

const SERVING: ReadonlyArray<{ name: string; path: string; body: RegExp; staticRoot?: string }> = [
  { name: 'node-nodep', path: '/', body: /^hello from node-nodep \(pid \d+\)/ },
  { name: 'python-stdlib', path: '/', body: /^hello from python-stdlib \(pid \d+\)/ },
  { name: 'worker', path: '/', body: /^\{"worker":\{.*"at":"/ },
  { name: 'static', path: '/', body: /<title>Hop3 static example<\/title>/, staticRoot: 'public' },
];

for (const ex of SERVING) {
  test(`hop3 deploy of examples/${ex.name} from its directory goes live and nginx answers its Host header with the app's page`, async () => {
    const r = await deployExample(ex.name);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`Deployed ${ex.name} release 1 in [\\d.]+ m?s\\.\\nURL: http://${ex.name}\\.hop3\\.test/\\n$`));
    if (ex.staticRoot !== undefined) e.openTree(ex.name, 1, ex.staticRoot);
    const page = await e.page(`${ex.name}.hop3.test`, ex.path);
    assert.equal(page.status, 200, `${ex.name}: ${page.body}`);
    assert.match(page.body, ex.body);
  });
}

test('the worker example runs its worker beside the web process, and hop3 ps lists both', async () => {
  const ps = await e.hop3(['ps', '--app', 'worker', '--json']);
  assert.equal(ps.code, 0, ps.stderr);
  const doc = JSON.parse(ps.stdout) as { scale: Record<string, number>; processes: Array<{ label: string; state: string }> };
  assert.deepEqual(doc.scale, { web: 1, worker: 1 });
  assert.deepEqual(doc.processes.map((p) => p.label).sort(), ['web.1', 'worker.1']);
});

test('node-dep cannot install its one registry dependency offline (the e2e suite never uses the network): the build fails loudly with npm ENOTCACHED, exit 6, and nothing serves', async () => {
  // npm's download cache lives in the app's own cache dir (docs/builds.md), empty on a first
  // deploy; npm_config_offline (app env reaches the build) keeps npm off the registry.
  const r = await deployExample('node-dep', ['--env', 'npm_config_offline=true']);
  assert.equal(r.code, 6, r.stdout);
  assert.match(r.stdout, /ENOTCACHED/);
  assert.match(r.stdout, /build failed/);
  assert.match(r.stderr, /hop3: deploy of node-dep \(release 1\) failed: E_BUILD_COMMAND_FAILED: /);
  assert.match(r.stderr, /hint: /);
  assert.equal((await e.page('node-dep.hop3.test')).status, null, 'no site: the default server closes the connection (444)');
  const status = JSON.parse((await e.hop3(['app', 'status', '--app', 'node-dep', '--json'])).stdout) as { app: { state: string } };
  assert.equal(status.app.state, 'failed');
});

test('failing-health as a first deploy fails its health check with exit 6, runs nothing and gets no site', async () => {
  const r = await deployExample('failing-health');
  assert.equal(r.code, 6, r.stdout);
  assert.match(r.stdout, /health failed/);
  assert.match(r.stderr, /E_HEALTHCHECK_FAILED: .*500/);
  assert.deepEqual(e.leftovers('failing-health', deployed.get('failing-health') ?? null).vassals, []);
  assert.equal((await e.page('failing-health.hop3.test')).status, null);
});

test('hop3 apps lists every example deployed, and destroying each leaves no vassal, nginx site, release tree, log or row behind', async () => {
  const apps = JSON.parse((await e.hop3(['apps', '--json'])).stdout) as { apps: Array<{ name: string }> };
  assert.deepEqual(apps.apps.map((a) => a.name).sort(), [...deployed.keys()].sort());
  for (const [app, id] of deployed) {
    assert.notEqual(id, null, `${app} has a row before destroy`);
    const gone = await e.hop3(['app', 'destroy', '--app', app, `--confirm=${app}`]);
    assert.equal(gone.code, 0, gone.stderr);
    assert.deepEqual(e.leftovers(app, id), NOTHING, app);
    assert.equal((await e.page(`${app}.hop3.test`)).status, null, `${app} no longer has a site`);
  }
  const none = JSON.parse((await e.hop3(['apps', '--json'])).stdout) as { apps: unknown[] };
  assert.deepEqual(none.apps, []);
});
