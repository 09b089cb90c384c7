import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessOps } from '../../rootd/ops/cgroup-fs.ts';
import { CTX, makeCgroupHarness, pidAlive, rejectsWith, type CgroupHarness } from './fake-cgroupfs-harness.ts';

const LEAF = 'hop3.slice/hop3-app-web.scope';
const NOBODY = 65534;
const children: ChildProcess[] = [];

interface Child {
  readonly pid: number;
  readonly exited: Promise<NodeJS.Signals | null>;
}
function sleeper(): Child {
  const c = spawn('/bin/sleep', ['60'], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
  children.push(c);
  if (c.pid === undefined) throw new Error('spawn failed');
  return { pid: c.pid, exited: new Promise((r) => c.once('exit', (_code, sig) => r(sig))) };
}
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function withApp(opts: Parameters<typeof makeCgroupHarness>[0], fn: (c: CgroupHarness) => Promise<void>): Promise<void> {
  const c = makeCgroupHarness(opts);
  try {
    await c.h['cgroup.ensure_slice']({}, CTX);
    await c.h['cgroup.set_limits']({ app: 'web', memory_bytes: 1 << 28 }, CTX);
    await fn(c);
  } finally {
    c.cleanup();
  }
}

for (const [kernel, opts, killWrite] of [
  ['with cgroup.kill', {}, `write ${LEAF}/cgroup.kill 1`],
  ['without cgroup.kill (freeze, then SIGKILL each pid)', { cgroupKill: false }, `write ${LEAF}/cgroup.freeze 1`],
  ['without cgroup.kill or cgroup.freeze (SIGKILL each pid)', { cgroupKill: false, cgroupFreeze: false }, null],
] as const) {
  test(`remove ${kernel} kills the leaf's process, and only it, then removes the leaf`, async () => {
    const inLeaf = sleeper();
    const bystander = sleeper();
    await withApp(opts, async ({ tree, h, state }) => {
      await h['cgroup.attach_pids']({ app: 'web', pids: [inLeaf.pid] }, CTX);
      assert.equal(tree.read(`${LEAF}/cgroup.procs`), `${inLeaf.pid}\n`);
      tree.log.length = 0;
      const r = await h['cgroup.remove']({ app: 'web' }, CTX);
      assert.deepEqual(r, { app: 'web', removed: true, killed: 1 });
      assert.equal(await inLeaf.exited, 'SIGKILL');
      assert.ok(pidAlive(bystander.pid), 'a process outside the leaf is untouched');
      assert.deepEqual(tree.log, [...(killWrite ? [killWrite] : []), `rmdir ${LEAF}`]);
      assert.equal(existsSync(join(tree.root, LEAF)), false);
      assert.deepEqual(state.current.cgroup.leaves, {});
    });
  });
}

test('remove kills descendants and removes the deepest cgroup first', async () => {
  const top = sleeper();
  const deep = sleeper();
  await withApp({ cgroupKill: false }, async ({ tree, h }) => {
    await h['cgroup.attach_pids']({ app: 'web', pids: [top.pid] }, CTX);
    // An app with a delegated subtree could create these; rootd must clean them up.
    await tree.fs.mkdir(join(tree.root, LEAF, 'worker'));
    await tree.fs.mkdir(join(tree.root, LEAF, 'worker', 'inner'));
    await tree.fs.writeFile(join(tree.root, LEAF, 'worker', 'inner', 'cgroup.procs'), String(deep.pid));
    tree.log.length = 0;
    const r = await h['cgroup.remove']({ app: 'web' }, CTX);
    assert.equal(r.killed, 2);
    assert.equal(await top.exited, 'SIGKILL');
    assert.equal(await deep.exited, 'SIGKILL');
    assert.deepEqual(tree.log.filter((l) => l.startsWith('rmdir')), [
      `rmdir ${LEAF}/worker/inner`,
      `rmdir ${LEAF}/worker`,
      `rmdir ${LEAF}`,
    ]);
  });
});

test('remove is idempotent: a missing leaf is removed: false, with nothing written', async () => {
  await withApp({}, async ({ tree, h }) => {
    await h['cgroup.remove']({ app: 'web' }, CTX);
    tree.log.length = 0;
    assert.deepEqual(await h['cgroup.remove']({ app: 'web' }, CTX), { app: 'web', removed: false, killed: 0 });
    assert.deepEqual(await h['cgroup.remove']({ app: 'never-existed' }, CTX), { app: 'never-existed', removed: false, killed: 0 });
    assert.deepEqual(tree.log, []);
  });
});

const protectedPids: Array<[string, () => number]> = [
  ['init (pid 1)', () => 1],
  ['hop3-rootd itself', () => process.pid],
];
for (const [what, pidOf] of protectedPids) {
  test(`remove refuses a leaf that holds ${what}: E_CGROUP_BUSY, nothing killed, record kept`, async () => {
    const killed: number[] = [];
    // The fake ProcessOps records instead of killing, so a regression cannot take down init or the test runner.
    const proc: ProcessOps = { readStatus: async () => null, kill: async (pid) => (killed.push(pid), true) };
    await withApp({ cgroupKill: false, deps: { proc } }, async ({ tree, h, state }) => {
      // Something outside rootd moved the process in (rootd's attach refuses it).
      await tree.fs.writeFile(join(tree.root, LEAF, 'cgroup.procs'), String(pidOf()));
      tree.log.length = 0;
      await rejectsWith(() => h['cgroup.remove']({ app: 'web' }, CTX), 'E_CGROUP_BUSY');
      assert.deepEqual(killed, []);
      assert.deepEqual(tree.log, []);
      assert.deepEqual(state.current.cgroup.leaves['web'], { memory_bytes: 1 << 28 });
    });
  });
}

test('a process that does not die within the bound is E_CGROUP_BUSY and the leaf and record stay', async () => {
  const stuck = sleeper();
  const proc: ProcessOps = { readStatus: async () => null, kill: async () => true }; // a kill that never lands
  await withApp({ cgroupKill: false, cgroupFreeze: false, deps: { proc, removeTimeoutMs: 150 } }, async ({ tree, h, state }) => {
    await tree.fs.writeFile(join(tree.root, LEAF, 'cgroup.procs'), String(stuck.pid));
    const started = performance.now();
    const e = await rejectsWith(() => h['cgroup.remove']({ app: 'web' }, CTX), 'E_CGROUP_BUSY');
    assert.ok(performance.now() - started < 2000, 'the wait is bounded');
    assert.match(e.message, new RegExp(`still holds pid ${stuck.pid}`));
    assert.ok(existsSync(join(tree.root, LEAF)));
    assert.deepEqual(state.current.cgroup.leaves['web'], { memory_bytes: 1 << 28 });
    assert.ok(pidAlive(stuck.pid));
  });
});
