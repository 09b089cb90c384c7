import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { countCgroup, createCgroupHandlers, reconcileCgroup } from '../../rootd/ops/cgroup.ts';
import type { CgroupLimits } from '../../shared-protocol/ops/cgroup.ts';
import { CTX, makeCgroupHarness, pidAlive, type CgroupHarness } from './fake-cgroupfs-harness.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function withHarness(opts: Parameters<typeof makeCgroupHarness>[0], fn: (c: CgroupHarness) => Promise<void>): Promise<void> {
  const c = makeCgroupHarness(opts);
  try {
    await fn(c);
  } finally {
    c.cleanup();
  }
}

const WEB: CgroupLimits = { memory_bytes: 1 << 28, cpu: { quota_us: 50000, period_us: 100000 }, pids: 64 };
const API: CgroupLimits = { pids: 32 };

async function record(c: CgroupHarness, slice: boolean, leaves: Record<string, CgroupLimits>): Promise<void> {
  await c.state.update((s) => {
    s.cgroup = { slice, leaves };
  });
}

test('reconcile re-creates the slice, the leaves and their caps from state (after a reboot or a crash)', async () => {
  await withHarness({}, async (c) => {
    await record(c, true, { web: WEB, api: API });
    const r = await reconcileCgroup(c.deps);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.changes, [
      'created hop3.slice',
      'enabled +memory +cpu +pids for hop3.slice',
      're-created leaf of api',
      're-wrote memory.swap.max=0, pids.max=32 for api',
      're-created leaf of web',
      're-wrote memory.max=268435456, memory.swap.max=0, cpu.max=50000 100000, pids.max=64 for web',
    ]);
    assert.equal(c.tree.read('hop3.slice/hop3-app-web.scope/cpu.max'), '50000 100000\n');
    assert.equal(c.tree.read('hop3.slice/hop3-app-api.scope/pids.max'), '32\n');
    const read = await createCgroupHandlers(c.deps)['cgroup.read']({ app: 'web' }, CTX);
    assert.equal(read.matches_state, true);
  });
});

test('a second reconcile changes nothing and writes nothing', async () => {
  await withHarness({}, async (c) => {
    await record(c, true, { web: WEB });
    await reconcileCgroup(c.deps);
    c.tree.log.length = 0;
    assert.deepEqual(await reconcileCgroup(c.deps), { changes: [], errors: [] });
    assert.deepEqual(c.tree.log, []);
  });
});

test('reconcile re-writes only the cap that drifted', async () => {
  await withHarness({}, async (c) => {
    await record(c, true, { web: WEB });
    await reconcileCgroup(c.deps);
    await c.tree.fs.writeFile(join(c.tree.root, 'hop3.slice/hop3-app-web.scope/memory.max'), 'max');
    c.tree.log.length = 0;
    const r = await reconcileCgroup(c.deps);
    assert.deepEqual(r.changes, ['re-wrote memory.max=268435456 for web']);
    assert.deepEqual(c.tree.log, ['write hop3.slice/hop3-app-web.scope/memory.max 268435456']);
  });
});

test('reconcile kills and removes hop3 leaves the state does not hold, and leaves other directories alone', async () => {
  await withHarness({}, async (c) => {
    const h = createCgroupHandlers(c.deps);
    await h['cgroup.ensure_slice']({}, CTX);
    await h['cgroup.set_limits']({ app: 'web', pids: 10 }, CTX);
    await h['cgroup.set_limits']({ app: 'ghost', pids: 10 }, CTX);
    const orphan = spawn('/bin/sleep', ['60'], { uid: 65534, gid: 65534, stdio: 'ignore' });
    children.push(orphan);
    const exited = new Promise((r) => orphan.once('exit', (_c, sig) => r(sig)));
    await h['cgroup.attach_pids']({ app: 'ghost', pids: [orphan.pid ?? -1] }, CTX);
    // The state forgets ghost (as after a crash between the record and the rmdir).
    await c.state.update((s) => {
      delete s.cgroup.leaves['ghost'];
    });
    await c.tree.fs.mkdir(join(c.tree.root, 'hop3.slice', 'operator-thing.scope'));
    mkdirSync(join(c.tree.root, 'hop3.slice', 'hop3-app-NOT_A_NAME.scope'));
    const r = await reconcileCgroup(c.deps);
    assert.deepEqual(r, { changes: ['removed orphan leaf of ghost (killed 1 process)'], errors: [] });
    assert.equal(await exited, 'SIGKILL');
    assert.equal(existsSync(join(c.tree.root, 'hop3.slice/hop3-app-ghost.scope')), false);
    assert.ok(existsSync(join(c.tree.root, 'hop3.slice/hop3-app-web.scope')));
    assert.ok(existsSync(join(c.tree.root, 'hop3.slice/operator-thing.scope')));
    assert.ok(existsSync(join(c.tree.root, 'hop3.slice/hop3-app-NOT_A_NAME.scope')));
    assert.equal(pidAlive(orphan.pid ?? -1), false);
  });
});

test('with nothing recorded, reconcile on a host without usable cgroup v2 is silent and writes nothing', async () => {
  await withHarness({ controllers: 'hugetlb' }, async (c) => {
    assert.deepEqual(await reconcileCgroup(c.deps), { changes: [], errors: [] });
    assert.deepEqual(c.tree.log, []);
  });
});

test('with leaves recorded, reconcile on a host without usable cgroup v2 reports the error and writes nothing', async () => {
  await withHarness({ controllers: 'cpu io hugetlb' }, async (c) => {
    await record(c, true, { web: WEB });
    const r = await reconcileCgroup(c.deps);
    assert.deepEqual(r.changes, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0] ?? '', /lacks the memory, pids controllers/);
    assert.deepEqual(c.tree.log, []);
    assert.equal(existsSync(join(c.tree.root, 'hop3.slice')), false);
  });
});

test('countCgroup counts the leaves in state', async () => {
  await withHarness({}, async (c) => {
    assert.equal(countCgroup(c.deps), 0);
    await record(c, true, { web: WEB, api: API });
    assert.equal(countCgroup(c.deps), 2);
  });
});
