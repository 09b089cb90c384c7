import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootd, type Rootd } from '../../rootd/rootd.ts';
import { makeTempRootdConfig, ROOT_PEER, type TempRootd } from './helpers.ts';

// One rootd for the whole table; its cgroup_root is an empty temp dir, so any request that
// passes validation ends in E_CGROUP_V2_UNAVAILABLE, never in a write.
let t: TempRootd;
let r: Rootd;
before(() => {
  t = makeTempRootdConfig();
  r = createRootd(t.config);
});
after(async () => {
  await r.close();
  t.cleanup();
});

async function call(op: string, params: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  return JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'p', op, params }), ROOT_PEER)) as {
    ok: boolean;
    error?: { code: string; message: string };
  };
}

const cpu = { quota_us: 50000, period_us: 100000 };
const bad: Array<[string, string, unknown]> = [
  ['cgroup.ensure_slice', 'an unexpected field', { app: 'web' }],
  ['cgroup.set_limits', 'no app', { pids: 5 }],
  ['cgroup.set_limits', 'an uppercase app name', { app: 'Web' }],
  ['cgroup.set_limits', 'a path as app name', { app: '../etc' }],
  ['cgroup.set_limits', 'an app name with a slash', { app: 'a/b' }],
  ['cgroup.set_limits', 'an app name ending in a dash', { app: 'web-' }],
  ['cgroup.set_limits', 'a 64-char app name', { app: 'a'.repeat(64) }],
  ['cgroup.set_limits', 'a NUL in the app name', { app: 'web\u0000' }],
  ['cgroup.set_limits', 'memory 0', { app: 'web', memory_bytes: 0 }],
  ['cgroup.set_limits', 'memory below 1 MiB', { app: 'web', memory_bytes: 1048575 }],
  ['cgroup.set_limits', 'memory above 1 PiB', { app: 'web', memory_bytes: 2 ** 50 + 1 }],
  ['cgroup.set_limits', 'fractional memory', { app: 'web', memory_bytes: 1048576.5 }],
  ['cgroup.set_limits', 'memory as a string with a unit', { app: 'web', memory_bytes: '512M' }],
  ['cgroup.set_limits', 'memory as a numeric string', { app: 'web', memory_bytes: '536870912' }],
  ['cgroup.set_limits', 'memory null', { app: 'web', memory_bytes: null }],
  ['cgroup.set_limits', 'a cpu quota below 1 ms', { app: 'web', cpu: { quota_us: 999, period_us: 100000 } }],
  ['cgroup.set_limits', 'a cpu quota above 1000 cores', { app: 'web', cpu: { quota_us: 1_000_000_001, period_us: 1_000_000 } }],
  ['cgroup.set_limits', 'a cpu period below 1 ms', { app: 'web', cpu: { quota_us: 1000, period_us: 999 } }],
  ['cgroup.set_limits', 'a cpu period above 1 s', { app: 'web', cpu: { quota_us: 1000, period_us: 1_000_001 } }],
  ['cgroup.set_limits', 'a cpu limit without a period', { app: 'web', cpu: { quota_us: 50000 } }],
  ['cgroup.set_limits', 'a cpu limit with an extra field', { app: 'web', cpu: { ...cpu, burst_us: 1 } }],
  ['cgroup.set_limits', 'cpu as a number of cores', { app: 'web', cpu: 1.5 }],
  ['cgroup.set_limits', 'cpu as a cpu.max string', { app: 'web', cpu: '50000 100000' }],
  ['cgroup.set_limits', 'pids 0', { app: 'web', pids: 0 }],
  ['cgroup.set_limits', 'negative pids', { app: 'web', pids: -1 }],
  ['cgroup.set_limits', 'pids above PID_MAX_LIMIT', { app: 'web', pids: 4_194_305 }],
  ['cgroup.set_limits', 'pids "max"', { app: 'web', pids: 'max' }],
  ['cgroup.set_limits', 'a swap field (swap is always 0)', { app: 'web', swap_bytes: 0 }],
  ['cgroup.set_limits', 'a raw path field', { app: 'web', path: '/sys/fs/cgroup/x' }],
  ['cgroup.attach_pids', 'no pids', { app: 'web' }],
  ['cgroup.attach_pids', 'an empty pid list', { app: 'web', pids: [] }],
  ['cgroup.attach_pids', '257 pids', { app: 'web', pids: Array.from({ length: 257 }, (_, i) => i + 2) }],
  ['cgroup.attach_pids', 'a duplicate pid', { app: 'web', pids: [1234, 1234] }],
  ['cgroup.attach_pids', 'pid 0', { app: 'web', pids: [0] }],
  ['cgroup.attach_pids', 'a negative pid', { app: 'web', pids: [-1] }],
  ['cgroup.attach_pids', 'a fractional pid', { app: 'web', pids: [12.5] }],
  ['cgroup.attach_pids', 'a pid as a string', { app: 'web', pids: ['1234'] }],
  ['cgroup.attach_pids', 'a pid above PID_MAX_LIMIT', { app: 'web', pids: [4_194_305] }],
  ['cgroup.attach_pids', 'a single pid instead of a list', { app: 'web', pids: 1234 }],
  ['cgroup.attach_pids', 'a bad app name', { app: 'we b', pids: [1234] }],
  ['cgroup.read', 'no app', {}],
  ['cgroup.read', 'an extra field', { app: 'web', leaf: 'x' }],
  ['cgroup.read', 'an underscore in the app name', { app: 'a_b' }],
  ['cgroup.remove', 'a path as app name', { app: 'web/../../init.scope' }],
  ['cgroup.remove', 'an empty app name', { app: '' }],
  ['cgroup.remove', 'an app name that is a number', { app: 7 }],
];
for (const [op, what, params] of bad) {
  test(`${op} with ${what} is refused with E_INVALID_PARAMS`, async () => {
    const rep = await call(op, params);
    assert.equal(rep.ok, false);
    assert.equal(rep.error?.code, 'E_INVALID_PARAMS', rep.error?.message);
  });
}

const good: Array<[string, unknown]> = [
  ['cgroup.ensure_slice', {}],
  ['cgroup.set_limits', { app: 'web', memory_bytes: 1048576, cpu: { quota_us: 1000, period_us: 1000 }, pids: 1 }],
  ['cgroup.set_limits', { app: 'web', memory_bytes: 2 ** 50, cpu: { quota_us: 1_000_000_000, period_us: 1_000_000 }, pids: 4_194_304 }],
  ['cgroup.set_limits', { app: 'w' }],
  ['cgroup.attach_pids', { app: 'web', pids: Array.from({ length: 256 }, (_, i) => i + 2) }],
  ['cgroup.read', { app: 'a'.repeat(63) }],
  ['cgroup.remove', { app: 'web-2' }],
];
for (const [op, params] of good) {
  test(`${op} with boundary-valid params passes validation and reaches the availability check`, async () => {
    const rep = await call(op, params);
    assert.equal(rep.error?.code, 'E_CGROUP_V2_UNAVAILABLE', rep.error?.message);
  });
}
