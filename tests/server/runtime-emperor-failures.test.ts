import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { systemClock } from '../../server/runtime/clock.ts';
import { systemEmperor } from '../../server/runtime/emperor.ts';
import { PortAllocator } from '../../server/runtime/ports.ts';
import { ProcessManager, type ReleaseSpec } from '../../server/runtime/processes.ts';
import { isAlive } from '../../server/runtime/procfs.ts';
import { VassalStore } from '../../server/runtime/vassal-store.ts';
import { EXAMPLES, get, startHarness, type Harness } from './runtime-harness.ts';

let h: Harness;

function spec(app: string, example: string, processes: ReleaseSpec['processes']): ReleaseSpec {
  const cwd = join(h.root, 'apps', app, 'r1');
  mkdirSync(cwd, { recursive: true });
  cpSync(join(EXAMPLES, example), cwd, { recursive: true });
  return { app, release: 'r1', cwd, env: {}, processes };
}

describe('failures and scaling under a real uWSGI emperor', () => {
  before(async () => {
    h = await startHarness({ min: 23500, max: 23999 });
  });
  after(async () => {
    await h.stop();
    assert.deepEqual(await h.leftovers(), []);
  });

  it('detects a crash loop within seconds and reports the app\'s last words', async () => {
    const app = h.appName('crash');
    const s = spec(app, 'node-nodep', { web: { command: 'node -e "console.error(\'boom: DATABASE_URL is not set\'); process.exit(3)"', count: 1 } });
    const procs = await h.manager.startRelease(s);
    const streamed: string[] = [];
    const t0 = performance.now();
    await assert.rejects(h.manager.waitReady(procs, { timeoutMs: 60_000, onLog: (l) => streamed.push(l) }), (e) => {
      assert.ok(isHop3Error(e));
      assert.equal(e.code, 'E_RUNTIME_CRASH_LOOP');
      assert.match(e.message, /web\.1 exited 2 times/);
      assert.match(e.message, /boom: DATABASE_URL is not set/);
      return true;
    });
    const elapsed = performance.now() - t0;
    console.log(`# figure: crash loop detected after ${Math.round(elapsed)} ms`);
    assert.ok(elapsed < 5000, `detected in ${elapsed} ms`);
    assert.ok(streamed.some((l) => l === 'web.1 | boom: DATABASE_URL is not set'), 'the app log was streamed meanwhile');
    await h.manager.stopRelease(app, 'r1');
    assert.deepEqual(await h.manager.list(app), []);
  });

  it('fails the health check of failing-health with the 500 it answered', async () => {
    const app = h.appName('unhealthy');
    const procs = await h.manager.startRelease(spec(app, 'failing-health', { web: { command: 'node server.js', count: 1 } }));
    const streamed: string[] = [];
    await assert.rejects(h.manager.waitReady(procs, { healthPath: '/health', timeoutMs: 20_000, onLog: (l) => streamed.push(l) }), (e) => {
      assert.ok(isHop3Error(e));
      assert.equal(e.code, 'E_HEALTHCHECK_FAILED');
      assert.match(e.message, /GET \/health on port \d+ answered 500: unhealthy on purpose/);
      return true;
    });
    assert.ok(streamed.some((l) => /failing-health listening/.test(l)));
    await h.manager.stopRelease(app, 'r1');
  });

  it('scales web to 3 and back to 1, one process and one port per copy', async () => {
    const app = h.appName('scale');
    const s = spec(app, 'node-nodep', { web: { command: 'node server.js', count: 1 } });
    await h.manager.waitReady(await h.manager.startRelease(s), { healthPath: '/health', timeoutMs: 20_000 });

    const up = await h.manager.scale(s, 'web', 3);
    assert.deepEqual(up.added.map((p) => p.index), [2, 3]);
    await h.manager.waitReady(up.added, { healthPath: '/health', timeoutMs: 20_000 });
    const three = await h.manager.list(app);
    assert.deepEqual(three.map((p) => `${p.label}:${p.state}`), ['web.1:running', 'web.2:running', 'web.3:running']);
    assert.equal(new Set(three.map((p) => p.port)).size, 3, 'three ports');
    assert.equal(new Set(three.map((p) => p.pid)).size, 3, 'three app processes');
    for (const p of three) assert.ok('status' in (await get(p.port ?? 0, '/health')), `${p.label} answers`);

    const down = await h.manager.scale(s, 'web', 1);
    assert.deepEqual(down.removed.map((p) => p.index), [3, 2].sort());
    const one = await h.manager.list(app);
    assert.deepEqual(one.map((p) => p.label), ['web.1']);
    for (const p of three.slice(1)) assert.equal(await isAlive(p.pid ?? 0), false, `${p.label} is gone`);
    assert.deepEqual(await get(three[2]?.port ?? 0), { error: 'ECONNREFUSED' });
    await h.manager.stopRelease(app, 'r1');
  });

  it('runs the worker example\'s web and worker processes, the web serving what the worker writes', async () => {
    const app = h.appName('worker');
    const procs = await h.manager.startRelease(spec(app, 'worker', { web: { command: 'node web.js', count: 1 }, worker: { command: 'node worker.js', count: 1 } }));
    assert.deepEqual(procs.map((p) => `${p.type}:${p.port === null ? 'no port' : 'port'}`), ['web:port', 'worker:no port']);
    const ready = await h.manager.waitReady(procs, { healthPath: '/health', timeoutMs: 20_000 });
    const web = ready.find((r) => r.label === 'web.1');
    const worker = (await h.manager.list(app)).find((p) => p.label === 'worker.1');
    const res = await get(web?.port ?? 0, '/');
    assert.ok('status' in res, JSON.stringify(res));
    const body = JSON.parse(res.body) as { worker: { beats: number; pid: number } };
    assert.ok(body.worker.beats >= 1);
    assert.equal(body.worker.pid, worker?.pid, 'the heartbeat comes from the supervised worker process');
    await h.manager.stopRelease(app, 'r1');
    assert.deepEqual(readdirSync(h.store.dir).filter((f) => f.startsWith(app)), []);
  });

  it('restarts a release in place: a new app process on the same port', async () => {
    const app = h.appName('restart');
    const s = spec(app, 'node-nodep', { web: { command: 'node server.js', count: 1 } });
    const procs = await h.manager.startRelease(s);
    const [before] = await h.manager.waitReady(procs, { healthPath: '/health', timeoutMs: 20_000 });
    await h.manager.restart(app);
    const deadline = performance.now() + 15_000;
    let now = await h.manager.list(app);
    while (performance.now() < deadline && (now[0]?.pid === before?.pid || now[0]?.state !== 'running')) {
      await new Promise((r) => setTimeout(r, 100));
      now = await h.manager.list(app);
    }
    assert.notEqual(now[0]?.pid, before?.pid);
    assert.equal(now[0]?.port, before?.port);
    await h.manager.waitReady([{ ...procs[0]!, logOffset: 0 }], { healthPath: '/health', timeoutMs: 10_000, crashThreshold: 99 });
    await h.manager.stopRelease(app, 'r1');
  });

  it('says the emperor is unavailable when no emperor picks the vassal up', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hop3-noemperor-'));
    for (const d of ['vassals', 'run', 'logs']) mkdirSync(join(root, d));
    const store = new VassalStore(join(root, 'vassals'));
    const layout = { runDir: join(root, 'run'), logDir: join(root, 'logs') };
    const lonely = new ProcessManager({ store, emperor: systemEmperor(store.dir), ports: new PortAllocator({ range: { min: 23990, max: 23999 } }), clock: systemClock, layout });
    const procs = await lonely.startRelease({ app: 'lonely', release: 'r1', cwd: root, env: {}, processes: { web: { command: 'node x.js', count: 1 } } });
    await assert.rejects(lonely.waitReady(procs, { timeoutMs: 10_000, emperorGraceMs: 800 }), (e) => isHop3Error(e) && e.code === 'E_EMPEROR_UNAVAILABLE');
    await lonely.stopRelease('lonely', 'r1');
    assert.equal(existsSync(join(store.dir, 'lonely__r1__web__1.ini')), false);
    rmSync(root, { recursive: true, force: true });
  });
});
