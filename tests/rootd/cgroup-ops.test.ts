import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CgroupFs } from '../../rootd/ops/cgroup-fs.ts';
import { CTX, ignoringWrites, makeCgroupHarness, rejectsWith, type CgroupHarness } from './fake-cgroupfs-harness.ts';

const LEAF = 'hop3.slice/hop3-app-web.scope';

async function withHarness(opts: Parameters<typeof makeCgroupHarness>[0], fn: (c: CgroupHarness) => Promise<void>): Promise<void> {
  const c = makeCgroupHarness(opts);
  try {
    await fn(c);
  } finally {
    c.cleanup();
  }
}

test('ensure_slice enables the controllers in the root, creates hop3.slice, then enables them in the slice', async () => {
  await withHarness({}, async ({ tree, h, state }) => {
    const r = await h['cgroup.ensure_slice']({}, CTX);
    assert.deepEqual(r, { created: true, enabled: ['memory', 'cpu', 'pids'] });
    assert.deepEqual(tree.log, [
      'write cgroup.subtree_control +memory +cpu +pids',
      'mkdir hop3.slice',
      'write hop3.slice/cgroup.subtree_control +memory +cpu +pids',
    ]);
    assert.equal(tree.read('cgroup.subtree_control'), 'cpu memory pids\n');
    assert.equal(tree.read('hop3.slice/cgroup.subtree_control'), 'cpu memory pids\n');
    assert.equal(tree.read('hop3.slice/memory.max'), 'max\n');
    assert.equal(state.current.cgroup.slice, true);
  });
});

test('ensure_slice a second time writes nothing and reports nothing enabled', async () => {
  await withHarness({}, async ({ tree, h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    tree.log.length = 0;
    assert.deepEqual(await h['cgroup.ensure_slice']({}, CTX), { created: false, enabled: [] });
    assert.deepEqual(tree.log, []);
  });
});

test('set_limits creates the leaf and writes memory.max, memory.swap.max=0, cpu.max and pids.max exactly', async () => {
  await withHarness({}, async ({ tree, h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    tree.log.length = 0;
    const r = await h['cgroup.set_limits'](
      { app: 'web', memory_bytes: 536870912, cpu: { quota_us: 150000, period_us: 100000 }, pids: 256 },
      CTX,
    );
    assert.deepEqual(tree.log, [
      `mkdir ${LEAF}`,
      `write ${LEAF}/memory.max 536870912`,
      `write ${LEAF}/memory.swap.max 0`,
      `write ${LEAF}/cpu.max 150000 100000`,
      `write ${LEAF}/pids.max 256`,
    ]);
    assert.deepEqual(r, {
      app: 'web',
      leaf: LEAF,
      created: true,
      caps: { memory_max: 536870912, memory_swap_max: 0, cpu_max: { quota_us: 150000, period_us: 100000 }, pids_max: 256 },
    });
    assert.equal(tree.read(`${LEAF}/memory.max`), '536870912\n');
    assert.equal(tree.read(`${LEAF}/memory.swap.max`), '0\n');
    assert.equal(tree.read(`${LEAF}/cpu.max`), '150000 100000\n');
    assert.equal(tree.read(`${LEAF}/pids.max`), '256\n');
    assert.deepEqual(state.current.cgroup.leaves, {
      web: { memory_bytes: 536870912, cpu: { quota_us: 150000, period_us: 100000 }, pids: 256 },
    });
    // The state file on disk holds the same record.
    const onDisk = JSON.parse(readFileSync(state.path, 'utf8')) as { cgroup: unknown };
    assert.deepEqual(onDisk.cgroup, state.current.cgroup);
  });
});

test('set_limits on an existing leaf replaces the caps; omitted limits go back to max', async () => {
  await withHarness({}, async ({ tree, h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 30, cpu: { quota_us: 50000, period_us: 100000 }, pids: 10 }, CTX);
    tree.log.length = 0;
    const r = await h['cgroup.set_limits']({ app: 'web', pids: 20 }, CTX);
    assert.equal(r.created, false);
    assert.deepEqual(tree.log, [
      `write ${LEAF}/memory.max max`,
      `write ${LEAF}/memory.swap.max 0`,
      `write ${LEAF}/cpu.max max 100000`,
      `write ${LEAF}/pids.max 20`,
    ]);
    assert.deepEqual(r.caps, { memory_max: 'max', memory_swap_max: 0, cpu_max: { quota_us: 'max', period_us: 100000 }, pids_max: 20 });
    assert.deepEqual(state.current.cgroup.leaves['web'], { pids: 20 });
  });
});

test('a memory cap that is not a page multiple is accepted as the kernel rounds it down', async () => {
  await withHarness({}, async ({ h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    const r = await h['cgroup.set_limits']({ app: 'web', memory_bytes: 1_000_000_000 }, CTX);
    assert.equal(r.caps.memory_max, 999_997_440);
  });
});

test('a kernel that ignores a write fails set_limits with E_CGROUP_LIMIT_NOT_APPLIED and reverts the new leaf', async () => {
  const ignored: string[] = [];
  await withHarness({ fs: (fs) => ignoringWrites(fs, ['memory.max'], ignored) }, async ({ tree, h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    const e = await rejectsWith(() => h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 28 }, CTX), 'E_CGROUP_LIMIT_NOT_APPLIED');
    assert.match(e.message, /memory\.max is "max", wanted 268435456/);
    assert.deepEqual(ignored, ['ignored memory.max 268435456']);
    assert.equal(existsSync(join(tree.root, LEAF)), false, 'the leaf created by the failed op is removed');
    assert.deepEqual(state.current.cgroup.leaves, {});
  });
});

test('a failed change on an existing leaf restores the previous caps and the previous record', async () => {
  let ignore = false;
  const flaky = (fs: CgroupFs): CgroupFs => ({
    ...fs,
    writeFile: (p, d) => (ignore && p.endsWith('/cpu.max') ? Promise.resolve() : fs.writeFile(p, d)),
  });
  await withHarness({ fs: flaky }, async ({ tree, h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    const before = { memory_bytes: 1 << 28, cpu: { quota_us: 20000, period_us: 100000 }, pids: 50 };
    await h['cgroup.set_limits']({ app: 'web', ...before }, CTX);
    ignore = true;
    await rejectsWith(
      () => h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 29, cpu: { quota_us: 90000, period_us: 100000 }, pids: 99 }, CTX),
      'E_CGROUP_LIMIT_NOT_APPLIED',
    );
    assert.deepEqual(state.current.cgroup.leaves['web'], before);
    assert.equal(tree.read(`${LEAF}/memory.max`), `${1 << 28}\n`);
    assert.equal(tree.read(`${LEAF}/pids.max`), '50\n');
    assert.equal(tree.read(`${LEAF}/cpu.max`), '20000 100000\n');
  });
});

test('a write the kernel refuses fails with E_CGROUP_WRITE_FAILED carrying the errno', async () => {
  const refusing = (fs: CgroupFs): CgroupFs => ({
    ...fs,
    writeFile: (p, d) => (p.endsWith('/pids.max') ? Promise.reject(Object.assign(new Error('nope'), { code: 'EINVAL' })) : fs.writeFile(p, d)),
  });
  await withHarness({ fs: refusing }, async ({ h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    const e = await rejectsWith(() => h['cgroup.set_limits']({ app: 'web', pids: 5 }, CTX), 'E_CGROUP_WRITE_FAILED');
    assert.match(e.message, /pids\.max failed: EINVAL/);
    assert.deepEqual(state.current.cgroup.leaves, {});
  });
});

test('set_limits before ensure_slice fails with E_CGROUP_V2_UNAVAILABLE and writes nothing', async () => {
  await withHarness({}, async ({ tree, h, state }) => {
    const e = await rejectsWith(() => h['cgroup.set_limits']({ app: 'web', pids: 5 }, CTX), 'E_CGROUP_V2_UNAVAILABLE');
    assert.match(e.message, /hop3\.slice does not exist/);
    assert.ok(e.hint?.includes('cgroup v2'));
    assert.deepEqual(tree.log, []);
    assert.deepEqual(state.current.cgroup, { slice: false, leaves: {} });
  });
});

test('set_limits fails loud when hop3.slice does not enable every controller', async () => {
  await withHarness({}, async ({ tree, h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await tree.fs.writeFile(join(tree.root, 'hop3.slice/cgroup.subtree_control'), '-pids');
    tree.log.length = 0;
    const e = await rejectsWith(() => h['cgroup.set_limits']({ app: 'web' }, CTX), 'E_CGROUP_V2_UNAVAILABLE');
    assert.match(e.message, /does not enable pids/);
    assert.deepEqual(tree.log, []);
  });
});

test('read reports the kernel caps, usage and the oom_kill count', async () => {
  await withHarness({}, async ({ tree, h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 28, cpu: { quota_us: 100000, period_us: 100000 }, pids: 64 }, CTX);
    tree.set(`${LEAF}/memory.current`, '12345678\n');
    tree.set(`${LEAF}/memory.events`, 'low 0\nhigh 0\nmax 7\noom 3\noom_kill 2\noom_group_kill 0\n');
    tree.set(`${LEAF}/cpu.stat`, 'usage_usec 987654\nuser_usec 900000\nsystem_usec 87654\nnr_periods 40\nnr_throttled 6\nthrottled_usec 1234\nnr_bursts 0\nburst_usec 0\n');
    tree.set(`${LEAF}/pids.current`, '9\n');
    tree.log.length = 0;
    const r = await h['cgroup.read']({ app: 'web' }, CTX);
    assert.deepEqual(r, {
      app: 'web',
      leaf: LEAF,
      caps: { memory_max: 1 << 28, memory_swap_max: 0, cpu_max: { quota_us: 100000, period_us: 100000 }, pids_max: 64 },
      matches_state: true,
      usage: { memory_bytes: 12345678, cpu_usage_usec: 987654, cpu_nr_throttled: 6, pids: 9 },
      oom_kill: 2,
    });
    assert.deepEqual(tree.log, [], 'read writes nothing');
  });
});

test('read says when the kernel caps no longer match the recorded limits', async () => {
  await withHarness({}, async ({ tree, h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 28 }, CTX);
    await tree.fs.writeFile(join(tree.root, LEAF, 'memory.swap.max'), 'max');
    const r = await h['cgroup.read']({ app: 'web' }, CTX);
    assert.equal(r.matches_state, false);
    assert.equal(r.caps.memory_swap_max, 'max');
  });
});

test('read of an app without a leaf is E_NOT_FOUND', async () => {
  await withHarness({}, async ({ h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await rejectsWith(() => h['cgroup.read']({ app: 'ghost' }, CTX), 'E_NOT_FOUND');
  });
});

test('a symlinked hop3.slice is refused with E_PATH_SYMLINK and its target is untouched', async () => {
  await withHarness({}, async ({ tree, h }) => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'hop3-cg-elsewhere-'));
    after(() => rmSync(elsewhere, { recursive: true, force: true }));
    symlinkSync(elsewhere, join(tree.root, 'hop3.slice'));
    await rejectsWith(() => h['cgroup.ensure_slice']({}, CTX), 'E_PATH_SYMLINK');
    rmSync(join(tree.root, 'hop3.slice'));
    await h['cgroup.ensure_slice']({}, CTX);
    rmSync(join(tree.root, LEAF), { force: true, recursive: true });
    symlinkSync(elsewhere, join(tree.root, LEAF));
    await rejectsWith(() => h['cgroup.set_limits']({ app: 'web', pids: 3 }, CTX), 'E_PATH_SYMLINK');
    assert.deepEqual(readdirSync(elsewhere), [], 'nothing was created through either link');
  });
});

test('an invalid app name never reaches the filesystem (E_INVALID_APP_NAME)', async () => {
  await withHarness({}, async ({ tree, h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    tree.log.length = 0;
    for (const app of ['../escape', 'Web', '-web', 'a/b', '', 'a'.repeat(64)]) {
      await rejectsWith(() => h['cgroup.set_limits']({ app, pids: 3 }, CTX), 'E_INVALID_APP_NAME');
      await rejectsWith(() => h['cgroup.remove']({ app }, CTX), 'E_INVALID_APP_NAME');
    }
    assert.deepEqual(tree.log, []);
  });
});

test('an app named like an Object.prototype key is an ordinary app', async () => {
  await withHarness({}, async ({ h }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await rejectsWith(() => h['cgroup.attach_pids']({ app: 'constructor', pids: [12345] }, CTX), 'E_NOT_FOUND');
    const r = await h['cgroup.set_limits']({ app: 'constructor', pids: 3 }, CTX);
    assert.equal(r.created, true);
  });
});

test('a kernel without swap accounting (no memory.swap.max) is refused: a cap that can spill into swap is no cap', async () => {
  await withHarness({}, async ({ tree, h, state }) => {
    await h['cgroup.ensure_slice']({}, CTX);
    await h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 28 }, CTX);
    rmSync(join(tree.root, LEAF, 'memory.swap.max'));
    const e = await rejectsWith(() => h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 29 }, CTX), 'E_CGROUP_WRITE_FAILED');
    assert.match(e.hint ?? '', /swap accounting/);
    assert.deepEqual(state.current.cgroup.leaves['web'], { memory_bytes: 1 << 28 });
    assert.equal(tree.read(`${LEAF}/memory.max`), `${1 << 28}\n`, 'the previous cap is restored');
  });
});
