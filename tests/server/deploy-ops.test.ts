/**
 * Operating a deployed app with real rootd, nginx and uWSGI: rollback, scale,
 * stop/start/restart, status, logs, one-off commands, and destroy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { apps, releases } from '../../server/db/schema/index.ts';
import { EXAMPLES, eventually, readSse, startDeployHarness, type DeployHarness } from './deploy-harness.ts';

let h: DeployHarness;
before(async () => {
  h = await startDeployHarness();
});
after(async () => {
  await h?.stop();
});

const NODEP = join(EXAMPLES, 'node-nodep');

function vassalsOf(app: string): string[] {
  return readdirSync(h.vassalDir).filter((f) => f.startsWith(`${app}__`)).sort();
}

async function deployLive(app: string, dir = NODEP): Promise<void> {
  const out = await h.deploy(app, dir);
  assert.equal(out.end?.status, 'live', JSON.stringify(out.end?.error ?? out.error));
}

test('rollback brings the previous release back from its kept tree without a rebuild, and a named release too', async () => {
  const app = h.appName('rollback');
  await deployLive(app);
  await deployLive(app);
  const r = await h.api('POST', `/v1/apps/${app}/rollback`, {});
  assert.equal(r.status, 202, JSON.stringify(r.json));
  const ref = (r.json as { deploy: { id: string; kind: string; release: number } }).deploy;
  assert.deepEqual([ref.kind, ref.release], ['rollback', 1]);
  const { events, end } = await h.follow(app, ref.id);
  assert.equal(end?.status, 'live', JSON.stringify(end?.error));
  const steps = events.filter((e) => e.event === 'step' && JSON.parse(e.data).phase === 'end').map((e) => JSON.parse(e.data).step as string);
  assert.deepEqual(steps, ['start', 'health', 'switch', 'record']);
  await eventually(() => assert.deepEqual(vassalsOf(app), [`${app}__r1__web__1.ini`]));
  assert.equal((await h.get(`${app}.hop3.test`)).status, 200);
  const rel = (await h.api('GET', `/v1/apps/${app}/releases`)).json as { releases: Array<{ number: number; status: string; current: boolean }> };
  assert.deepEqual(rel.releases.map((x) => [x.number, x.status, x.current]), [[2, 'superseded', false], [1, 'live', true]]);
  // and forward again, by number
  const again = await h.api('POST', `/v1/apps/${app}/rollback`, { release: 2 });
  assert.equal((await h.follow(app, (again.json as { deploy: { id: string } }).deploy.id)).end?.status, 'live');
  await eventually(() => assert.deepEqual(vassalsOf(app), [`${app}__r2__web__1.ini`]));
  const bad = await h.api('POST', `/v1/apps/${app}/rollback`, { release: 2 });
  assert.equal(bad.status, 409);
  assert.equal((bad.json as { error: { code: string } }).error.code, 'E_RELEASE_UNAVAILABLE');
  assert.equal((await h.api('POST', `/v1/apps/${app}/rollback`, { release: 9 })).status, 404);
});

test('scaling web to 3 puts every copy behind nginx, and back to 1 takes them out first', async () => {
  const app = h.appName('scale');
  await deployLive(app);
  const up = await h.api('PATCH', `/v1/apps/${app}/processes`, { web: 3 });
  assert.equal(up.status, 200, JSON.stringify(up.json));
  const procs = (up.json as { scale: Record<string, number>; processes: Array<{ label: string; port: number | null }> });
  assert.deepEqual(procs.scale, { web: 3 });
  assert.deepEqual(procs.processes.map((p) => p.label).sort(), ['web.1', 'web.2', 'web.3']);
  const site = readFileSync(join(h.siteDir, `${app}.conf`), 'utf8');
  for (const p of procs.processes) assert.ok(site.includes(`127.0.0.1:${p.port}`), `port ${p.port} in the site`);
  const pids = new Set<string>();
  for (let i = 0; i < 12; i++) pids.add((await h.get(`${app}.hop3.test`)).body);
  assert.ok(pids.size >= 2, 'requests are spread over the copies');
  const down = await h.api('PATCH', `/v1/apps/${app}/processes`, { web: 1 });
  assert.equal(down.status, 200);
  assert.deepEqual(vassalsOf(app), [`${app}__r1__web__1.ini`]);
  assert.equal((await h.get(`${app}.hop3.test`)).status, 200);
  // the scale is kept for the next deploy
  await h.api('PATCH', `/v1/apps/${app}/processes`, { web: 2 });
  await deployLive(app);
  await eventually(() => assert.deepEqual(vassalsOf(app), [`${app}__r2__web__1.ini`, `${app}__r2__web__2.ini`]));
  const unknown = await h.api('PATCH', `/v1/apps/${app}/processes`, { worker: 1 });
  assert.equal((unknown.json as { error: { code: string } }).error.code, 'E_PROCESS_TYPE_NOT_FOUND');
});

test('stop, start and restart change the processes and the status says so', async () => {
  const app = h.appName('actions');
  await deployLive(app);
  const stop = await h.api('POST', `/v1/apps/${app}/actions/stop`);
  assert.equal(stop.status, 200);
  assert.deepEqual(vassalsOf(app), []);
  let status = (await h.api('GET', `/v1/apps/${app}/status`)).json as { app: { state: string }; url: string; processes: unknown[]; release: { number: number } };
  assert.equal(status.app.state, 'stopped');
  assert.equal(status.processes.length, 0);
  const start = await h.api('POST', `/v1/apps/${app}/actions/start`);
  assert.equal(start.status, 200, JSON.stringify(start.json));
  assert.equal((await h.get(`${app}.hop3.test`)).status, 200);
  const restart = await h.api('POST', `/v1/apps/${app}/actions/restart`);
  assert.equal(restart.status, 200);
  status = (await h.api('GET', `/v1/apps/${app}/status`)).json as typeof status;
  assert.equal(status.app.state, 'running');
  assert.equal(status.url, `http://${app}.hop3.test/`);
  assert.equal(status.release.number, 1);
  const unknown = await h.api('POST', `/v1/apps/${app}/actions/explode`);
  assert.deepEqual([unknown.status, (unknown.json as { error: { code: string } }).error.code], [404, 'E_ROUTE_NOT_FOUND']);
});

test('logs show the last lines of each process, and run streams a one-off command in the release with its env', async () => {
  const app = h.appName('logs');
  await h.api('POST', '/v1/apps', { name: app });
  await h.api('PATCH', `/v1/apps/${app}/env`, { set: { GREETING: 'hi there' } });
  await deployLive(app);
  const logs = await h.api('GET', `/v1/apps/${app}/logs?lines=50`);
  const lines = (logs.json as { lines: Array<{ process: string; release: number; line: string }> }).lines;
  assert.ok(lines.some((l) => l.process === 'web.1' && l.release === 1 && /listening on 127\.0\.0\.1/.test(l.line)), JSON.stringify(lines.slice(-5)));
  const res = await fetch(`${h.url}/v1/apps/${app}/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command: ['sh', '-c', 'echo "$GREETING from $(basename "$PWD")"; echo oops >&2; exit 3'] }),
  });
  assert.equal(res.status, 200);
  const events = await readSse(res);
  assert.deepEqual(events.filter((e) => e.event === 'output').map((e) => JSON.parse(e.data)), [
    { stream: 'stdout', line: 'hi there from r1' },
    { stream: 'stderr', line: 'oops' },
  ]);
  const exit = JSON.parse(events.at(-1)?.data ?? '{}') as { exit_code: number; timed_out: boolean };
  assert.deepEqual([events.at(-1)?.event, exit.exit_code, exit.timed_out], ['exit', 3, false]);
  const timeout = await fetch(`${h.url}/v1/apps/${app}/run`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'sleep 30', timeout_s: 1 }),
  });
  const last = (await readSse(timeout)).at(-1);
  assert.equal((JSON.parse(last?.data ?? '{}') as { timed_out: boolean }).timed_out, true);
});

test('destroy leaves nothing behind: processes, vassals, nginx site, release trees, logs and rows', async () => {
  const app = h.appName('destroy');
  await deployLive(app);
  await deployLive(app);
  assert.ok(existsSync(join(h.siteDir, `${app}.conf`)));
  const { db } = h.server.context;
  const appId = db.select().from(apps).where(eq(apps.name, app)).get()?.id ?? -1;
  assert.equal(db.select().from(releases).where(eq(releases.appId, appId)).all().length, 2);
  const del = await h.api('DELETE', `/v1/apps/${app}?confirm=${app}`);
  assert.equal(del.status, 200, JSON.stringify(del.json));
  assert.deepEqual(vassalsOf(app), []);
  assert.equal(existsSync(join(h.siteDir, `${app}.conf`)), false);
  assert.equal(existsSync(join(h.appRoot, app)), false);
  assert.equal(existsSync(join(h.logDir, app)), false);
  assert.equal((await h.api('GET', `/v1/apps/${app}`)).status, 404);
  assert.equal(db.select().from(releases).where(eq(releases.appId, appId)).all().length, 0);
  assert.equal(db.select().from(apps).where(eq(apps.name, app)).all().length, 0);
  const r = await h.get(`${app}.hop3.test`);
  assert.equal(r.status, null, 'the default server closes the connection (444)');
});
