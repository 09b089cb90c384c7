/**
 * cgroup ops through the real dispatcher (createRootd with its real node:fs
 * CgroupFs): results must satisfy the declared result schemas and every call
 * lands in the op log. The tree is prepared with the kernel-emulating fake;
 * rootd then reads and writes its files as plain files.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRootd } from '../../rootd/rootd.ts';
import { verifyLog } from '../../rootd/oplog.ts';
import { CTX, makeCgroupHarness } from './fake-cgroupfs-harness.ts';
import { makeTempRootdConfig, ROOT_PEER } from './helpers.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

test('cgroup ops over the dispatcher return schema-valid results and are logged', async () => {
  const prep = makeCgroupHarness();
  // The app user here is nobody (65534): the hop3-server uid is the default attach list.
  const tmp = makeTempRootdConfig({ cgroup_root: prep.tree.root, socket: { path: '/nonexistent/rootd.sock', group: 0, allowed_uids: [65534] } });
  const r = createRootd(tmp.config);
  const child = spawn('/bin/sleep', ['60'], { uid: 65534, gid: 65534, stdio: 'ignore' });
  children.push(child);
  try {
    await prep.h['cgroup.ensure_slice']({}, CTX);
    await prep.h['cgroup.set_limits']({ app: 'web' }, CTX);
    prep.tree.set('hop3.slice/hop3-app-web.scope/memory.events', 'low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n');

    const call = async (op: string, params: unknown): Promise<unknown> => {
      const rep = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: `c-${op}`, op, params }), ROOT_PEER)) as {
        ok: boolean;
        result?: unknown;
        error?: { code: string; message: string };
      };
      assert.equal(rep.ok, true, `${op}: ${rep.error?.code} ${rep.error?.message}`);
      return rep.result;
    };
    assert.deepEqual(await call('cgroup.ensure_slice', {}), { created: false, enabled: [] });
    const set = await call('cgroup.set_limits', { app: 'web', memory_bytes: 1 << 28, cpu: { quota_us: 25000, period_us: 100000 }, pids: 40 });
    assert.deepEqual(set, {
      app: 'web',
      leaf: 'hop3.slice/hop3-app-web.scope',
      created: false,
      caps: { memory_max: 1 << 28, memory_swap_max: 0, cpu_max: { quota_us: 25000, period_us: 100000 }, pids_max: 40 },
    });
    assert.deepEqual(await call('cgroup.attach_pids', { app: 'web', pids: [child.pid] }), { app: 'web', attached: [child.pid] });
    const read = (await call('cgroup.read', { app: 'web' })) as { matches_state: boolean; oom_kill: number };
    assert.equal(read.matches_state, true);
    assert.equal(read.oom_kill, 1);

    const h = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'hh', op: 'daemon.health', params: {} }), ROOT_PEER)) as {
      result: { state: { cgroups: number } };
    };
    assert.equal(h.result.state.cgroups, 1);
    const state = JSON.parse(readFileSync(tmp.config.state_file, 'utf8')) as { cgroup: unknown };
    assert.deepEqual(state.cgroup, { slice: true, leaves: { web: { memory_bytes: 1 << 28, cpu: { quota_us: 25000, period_us: 100000 }, pids: 40 } } });

    await r.close();
    const v = verifyLog(tmp.config.op_log);
    assert.deepEqual(v.problems, []);
    const ops = readFileSync(tmp.config.op_log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { op: string }).op);
    for (const op of ['cgroup.ensure_slice', 'cgroup.set_limits', 'cgroup.attach_pids', 'cgroup.read']) assert.ok(ops.includes(op), op);
  } finally {
    await r.close();
    tmp.cleanup();
    prep.cleanup();
  }
});

test('by default only processes of the uids allowed on the socket can be attached: a non-root system daemon cannot', async () => {
  const prep = makeCgroupHarness();
  const tmp = makeTempRootdConfig({ cgroup_root: prep.tree.root, socket: { path: '/nonexistent/rootd.sock', group: 0, allowed_uids: [4242] } });
  const r = createRootd(tmp.config);
  const daemon = spawn('/bin/sleep', ['60'], { uid: 65534, gid: 65534, stdio: 'ignore' });
  children.push(daemon);
  try {
    // The harness's fake kernel creates the leaf's control files (a plain mkdir would not).
    await prep.h['cgroup.ensure_slice']({}, CTX);
    await prep.h['cgroup.set_limits']({ app: 'web' }, CTX);
    const slice = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'e', op: 'cgroup.ensure_slice', params: {} }), ROOT_PEER)) as { ok: boolean };
    assert.equal(slice.ok, true, JSON.stringify(slice));
    const set = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 's', op: 'cgroup.set_limits', params: { app: 'web', pids: 10 } }), ROOT_PEER)) as { ok: boolean };
    assert.equal(set.ok, true, JSON.stringify(set));
    const rep = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'a', op: 'cgroup.attach_pids', params: { app: 'web', pids: [daemon.pid] } }), ROOT_PEER)) as { ok: boolean; error?: { code: string } };
    assert.equal(rep.ok, false);
    assert.equal(rep.error?.code, 'E_CGROUP_PID_UID_NOT_ALLOWED');
  } finally {
    await r.close();
    tmp.cleanup();
    prep.cleanup();
  }
});
