/**
 * The E_CGROUP_V2_UNAVAILABLE path, on this host's real cgroup v2 hierarchy
 * (hybrid layout: /sys/fs/cgroup/unified offers only hugetlb) and on fake
 * trees lacking controllers. rootd must refuse every op and write nothing:
 * these tests never mkdir or write under /sys/fs/cgroup. On a host whose v2
 * hierarchy does offer memory, cpu and pids the real-host test is skipped,
 * because running the ops there would create hop3.slice on the host.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRootd } from '../../rootd/rootd.ts';
import { realCgroupFs, realProcessOps, type CgroupFs } from '../../rootd/ops/cgroup-fs.ts';
import { parseFlatKeyed, parseProcs, parseProcStatus, parseTokens, REQUIRED_CONTROLLERS } from '../../rootd/ops/cgroup-files.ts';
import { CTX, makeCgroupHarness, rejectsWith } from './fake-cgroupfs-harness.ts';
import { makeTempRootdConfig, ROOT_PEER } from './helpers.ts';

const HOST_V2 = '/sys/fs/cgroup/unified';
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function hostState(): { usable: boolean; why: string } {
  const f = join(HOST_V2, 'cgroup.controllers');
  if (!existsSync(f)) return { usable: true, why: `${f} does not exist on this host` };
  const have = readFileSync(f, 'utf8').split(/\s+/);
  if (REQUIRED_CONTROLLERS.every((c) => have.includes(c))) {
    return { usable: true, why: `${HOST_V2} offers memory, cpu and pids here; running the ops would write to the host` };
  }
  return { usable: false, why: '' };
}

function snapshot(): { entries: string[]; subtree: string } {
  return { entries: readdirSync(HOST_V2).sort(), subtree: readFileSync(join(HOST_V2, 'cgroup.subtree_control'), 'utf8') };
}

test('on this host (cgroup_root=/sys/fs/cgroup/unified) every cgroup op is E_CGROUP_V2_UNAVAILABLE and nothing is written', async (t) => {
  const host = hostState();
  if (host.usable) return t.skip(host.why);
  const tmp = makeTempRootdConfig({ cgroup_root: HOST_V2 });
  const r = createRootd(tmp.config);
  const child = spawn('/bin/sleep', ['60'], { uid: 65534, gid: 65534, stdio: 'ignore' });
  children.push(child);
  try {
    const before = snapshot();
    const stateBefore = readFileSync(tmp.config.state_file, 'utf8');
    const ops: Array<[string, unknown]> = [
      ['cgroup.ensure_slice', {}],
      ['cgroup.set_limits', { app: 'web', memory_bytes: 1 << 28, cpu: { quota_us: 50000, period_us: 100000 }, pids: 64 }],
      ['cgroup.attach_pids', { app: 'web', pids: [child.pid] }],
      ['cgroup.read', { app: 'web' }],
      ['cgroup.remove', { app: 'web' }],
    ];
    for (const [op, params] of ops) {
      const rep = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'h', op, params }), ROOT_PEER)) as {
        ok: boolean;
        error?: { code: string; message: string; hint?: string };
      };
      assert.equal(rep.ok, false, op);
      assert.equal(rep.error?.code, 'E_CGROUP_V2_UNAVAILABLE', `${op}: ${rep.error?.message}`);
      assert.match(rep.error?.message ?? '', /lacks the memory, cpu, pids controllers/);
      assert.match(rep.error?.hint ?? '', /pure cgroup v2 host/);
      assert.match(rep.error?.hint ?? '', /delegate/);
    }
    assert.equal(existsSync(join(HOST_V2, 'hop3.slice')), false, 'no hop3.slice on the host');
    assert.deepEqual(snapshot(), before, 'the host hierarchy is unchanged');
    assert.equal(readFileSync(tmp.config.state_file, 'utf8'), stateBefore, 'nothing was recorded');
    assert.ok(child.exitCode === null && child.signalCode === null, 'the child was neither moved nor killed');

    // Reconcile with nothing recorded is silent on this host.
    const rec = await r.reconcile();
    assert.deepEqual(rec.errors.filter((e) => e.startsWith('cgroup')), []);
    assert.deepEqual(rec.changes.filter((e) => e.startsWith('cgroup')), []);
    assert.equal(existsSync(join(HOST_V2, 'hop3.slice')), false);
  } finally {
    await r.close();
    tmp.cleanup();
  }
});

function recording(inner: CgroupFs, log: string[]): CgroupFs {
  return {
    ...inner,
    writeFile: (p, d) => (log.push(`write ${p}`), inner.writeFile(p, d)),
    mkdir: (p) => (log.push(`mkdir ${p}`), inner.mkdir(p)),
    rmdir: (p) => (log.push(`rmdir ${p}`), inner.rmdir(p)),
  };
}

for (const [controllers, missing] of [
  ['hugetlb', 'memory, cpu, pids'],
  ['cpuset cpu io hugetlb pids', 'memory'],
  ['cpuset io memory hugetlb pids', 'cpu'],
  ['cpuset cpu io memory hugetlb', 'pids'],
  ['', 'memory, cpu, pids'],
] as const) {
  test(`a hierarchy offering "${controllers}" refuses every op (missing ${missing}) before any write`, async () => {
    const log: string[] = [];
    const c = makeCgroupHarness({ controllers, fs: (fs) => recording(fs, log) });
    try {
      const { h } = c;
      const calls: Array<() => Promise<unknown>> = [
        () => h['cgroup.ensure_slice']({}, CTX),
        () => h['cgroup.set_limits']({ app: 'web', pids: 5 }, CTX),
        () => h['cgroup.attach_pids']({ app: 'web', pids: [process.pid] }, CTX),
        () => h['cgroup.read']({ app: 'web' }, CTX),
        () => h['cgroup.remove']({ app: 'web' }, CTX),
      ];
      for (const fn of calls) {
        const e = await rejectsWith(fn, 'E_CGROUP_V2_UNAVAILABLE');
        assert.match(e.message, new RegExp(`lacks the ${missing} controller`));
      }
      assert.deepEqual(log, []);
      assert.deepEqual(c.tree.log, []);
      assert.deepEqual(c.state.current.cgroup, { slice: false, leaves: {} });
    } finally {
      c.cleanup();
    }
  });
}

test('a cgroup_root that is not a cgroup v2 directory refuses every op', async () => {
  const c = makeCgroupHarness();
  try {
    rmSync(join(c.tree.root, 'cgroup.controllers'));
    const e = await rejectsWith(() => c.h['cgroup.ensure_slice']({}, CTX), 'E_CGROUP_V2_UNAVAILABLE');
    assert.match(e.message, /not a cgroup v2 directory/);
    assert.deepEqual(c.tree.log, []);
  } finally {
    c.cleanup();
  }
});

test('the parsers read this kernel\'s real cgroup v2 and /proc files (read-only)', async (t) => {
  if (!existsSync(join(HOST_V2, 'cgroup.controllers'))) return t.skip(`${HOST_V2} is not a cgroup v2 mount here`);
  const stat = parseFlatKeyed(await realCgroupFs.readFile(join(HOST_V2, 'cpu.stat')), 'cpu.stat');
  assert.ok((stat.get('usage_usec') ?? -1) >= 0, 'cpu.stat has usage_usec');
  const cgStat = await realCgroupFs.readFile(join(HOST_V2, 'cgroup.stat'));
  assert.ok(parseFlatKeyed(cgStat, 'cgroup.stat').has('nr_descendants'));
  assert.ok(parseTokens(await realCgroupFs.readFile(join(HOST_V2, 'cgroup.controllers'))).every((c) => /^[a-z_]+$/.test(c)));
  // Our own v2 cgroup lists us in its cgroup.procs.
  const own = /^0::(\/.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  if (own !== undefined) {
    const procs = parseProcs(await realCgroupFs.readFile(join(HOST_V2, own, 'cgroup.procs')));
    assert.ok(procs.includes(process.pid), 'cgroup.procs lists this process');
  }
  const status = parseProcStatus((await realProcessOps.readStatus(process.pid)) ?? '');
  assert.equal(status?.tgid, process.pid);
  assert.equal(status?.uids.length, 4);
});
