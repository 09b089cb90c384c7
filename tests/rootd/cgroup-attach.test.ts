import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { CgroupFs, ProcessOps } from '../../rootd/ops/cgroup-fs.ts';
import { CTX, makeCgroupHarness, pidAlive, rejectsWith, type CgroupHarness } from './fake-cgroupfs-harness.ts';

const LEAF = 'hop3.slice/hop3-app-web.scope';
const NOBODY = 65534;
const children: ChildProcess[] = [];

/** A `sleep` we own, as `uid` (root runs these tests; uid 0 gives a root child). */
function sleeper(uid: number): number {
  const c = spawn('/bin/sleep', ['60'], { uid, gid: uid, stdio: 'ignore' });
  children.push(c);
  if (c.pid === undefined) throw new Error('spawn failed');
  return c.pid;
}
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function ready(c: CgroupHarness): Promise<void> {
  await c.h['cgroup.ensure_slice']({}, CTX);
  await c.h['cgroup.set_limits']({ app: 'web', pids: 100 }, CTX);
  c.tree.log.length = 0;
}

async function withReady(opts: Parameters<typeof makeCgroupHarness>[0], fn: (c: CgroupHarness) => Promise<void>): Promise<void> {
  const c = makeCgroupHarness(opts);
  try {
    await ready(c);
    await fn(c);
  } finally {
    c.cleanup();
  }
}

/** A pid with no process: past every live pid, checked against /proc. */
function deadPid(): number {
  for (let pid = 4_194_000; pid > 4_000_000; pid--) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

/** A thread id of this process that is not its pid. */
function threadId(): number | null {
  const tid = readdirSync('/proc/self/task').map(Number).find((t) => t !== process.pid);
  return tid ?? null;
}

test('attach_pids moves a live unprivileged process into the leaf\'s cgroup.procs', async () => {
  const pid = sleeper(NOBODY);
  await withReady({}, async ({ tree, h }) => {
    assert.deepEqual(await h['cgroup.attach_pids']({ app: 'web', pids: [pid] }, CTX), { app: 'web', attached: [pid] });
    assert.deepEqual(tree.log, [`write ${LEAF}/cgroup.procs ${pid}`]);
    assert.equal(tree.read(`${LEAF}/cgroup.procs`), `${pid}\n`);
  });
});

const refusals: Array<[string, () => number, string]> = [
  ['pid 1 (init)', () => 1, 'E_CGROUP_PID_INIT'],
  ['pid 0', () => 0, 'E_CGROUP_PID_INIT'],
  ['a negative pid', () => -7, 'E_CGROUP_PID_INIT'],
  ['rootd\'s own pid', () => process.pid, 'E_CGROUP_PID_SELF'],
  ['a process running as root', () => sleeper(0), 'E_CGROUP_PID_ROOT'],
  ['a pid with no process', deadPid, 'E_CGROUP_PID_NOT_FOUND'],
];
for (const [what, pidOf, code] of refusals) {
  test(`attach_pids refuses ${what} with ${code} and writes nothing`, async () => {
    await withReady({}, async ({ tree, h }) => {
      await rejectsWith(() => h['cgroup.attach_pids']({ app: 'web', pids: [pidOf()] }, CTX), code);
      assert.deepEqual(tree.log, []);
    });
  });
}

test('attach_pids refuses a thread id (not a process) with E_CGROUP_PID_NOT_FOUND', async (t) => {
  const tid = threadId();
  if (tid === null) return t.skip('this process has a single thread');
  await withReady({}, async ({ tree, h }) => {
    const e = await rejectsWith(() => h['cgroup.attach_pids']({ app: 'web', pids: [tid] }, CTX), 'E_CGROUP_PID_NOT_FOUND');
    assert.match(e.message, /is a thread of process/);
    assert.deepEqual(tree.log, []);
  });
});

const status = (uids: string, tgid = 4242): string => `Name:\tapp\nTgid:\t${tgid}\nPid:\t4242\nUid:\t${uids}\nGid:\t1000\t1000\t1000\t1000\n`;
const fakeProcs: Array<[string, string | null, string, readonly number[] | undefined]> = [
  ['a real uid of 0', status('0\t1000\t1000\t1000'), 'E_CGROUP_PID_ROOT', undefined],
  ['an effective uid of 0 (a setuid program)', status('1000\t0\t1000\t1000'), 'E_CGROUP_PID_ROOT', undefined],
  ['a saved uid of 0 (can regain root)', status('1000\t1000\t0\t1000'), 'E_CGROUP_PID_ROOT', undefined],
  ['a filesystem uid of 0', status('1000\t1000\t1000\t0'), 'E_CGROUP_PID_ROOT', undefined],
  ['an unreadable status', 'Name:\tx\n', 'E_CGROUP_PID_NOT_FOUND', undefined],
  ['a status that vanished', null, 'E_CGROUP_PID_NOT_FOUND', undefined],
  ['a uid outside cgroup_attach_uids', status('1001\t1001\t1001\t1001'), 'E_CGROUP_PID_UID_NOT_ALLOWED', [1000]],
  ['one uid outside cgroup_attach_uids', status('1000\t1001\t1000\t1000'), 'E_CGROUP_PID_UID_NOT_ALLOWED', [1000]],
];
for (const [what, text, code, attachUids] of fakeProcs) {
  test(`attach_pids refuses a process with ${what} (${code})`, async () => {
    const proc: ProcessOps = { readStatus: async () => text, kill: async () => false };
    await withReady({ deps: { proc, ...(attachUids ? { attachUids } : {}) } }, async ({ tree, h }) => {
      await rejectsWith(() => h['cgroup.attach_pids']({ app: 'web', pids: [4242] }, CTX), code);
      assert.deepEqual(tree.log, []);
    });
  });
}

test('a process whose uids are all in cgroup_attach_uids is attached', async () => {
  const pid = sleeper(NOBODY);
  await withReady({ deps: { attachUids: [NOBODY] } }, async ({ h }) => {
    assert.deepEqual((await h['cgroup.attach_pids']({ app: 'web', pids: [pid] }, CTX)).attached, [pid]);
  });
});

test('one refused pid in the list moves none of them', async () => {
  const good = sleeper(NOBODY);
  const root = sleeper(0);
  await withReady({}, async ({ tree, h }) => {
    await rejectsWith(() => h['cgroup.attach_pids']({ app: 'web', pids: [good, root] }, CTX), 'E_CGROUP_PID_ROOT');
    assert.deepEqual(tree.log, []);
    assert.equal(tree.read(`${LEAF}/cgroup.procs`), '');
    assert.ok(pidAlive(good));
  });
});

test('attach_pids to an app without limits is E_NOT_FOUND: nothing is attached to an uncapped leaf', async () => {
  const pid = sleeper(NOBODY);
  await withReady({}, async ({ tree, h }) => {
    await rejectsWith(() => h['cgroup.attach_pids']({ app: 'other', pids: [pid] }, CTX), 'E_NOT_FOUND');
    assert.deepEqual(tree.log, []);
  });
});

test('a process that exits between the check and the move is E_CGROUP_PID_NOT_FOUND', async () => {
  const pid = sleeper(NOBODY);
  const esrch = Object.assign(new Error('No such process'), { code: 'ESRCH' });
  const fs = (inner: CgroupFs): CgroupFs => ({
    ...inner,
    writeFile: (p, d) => (p.endsWith('/cgroup.procs') ? Promise.reject(esrch) : inner.writeFile(p, d)),
  });
  await withReady({ fs }, async ({ h }) => {
    const e = await rejectsWith(() => h['cgroup.attach_pids']({ app: 'web', pids: [pid] }, CTX), 'E_CGROUP_PID_NOT_FOUND');
    assert.match(e.message, /exited before it could be attached/);
  });
});
