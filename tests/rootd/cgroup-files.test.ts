import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appOfLeafName,
  capMismatches,
  expectedCaps,
  limitWrites,
  parseCpuMax,
  parseFlatKeyed,
  parseMaxValue,
  parseProcs,
  parseProcStatus,
  subtreeControlWrite,
} from '../../rootd/ops/cgroup-files.ts';

test('limitWrites writes the four caps in order with swap always 0', () => {
  assert.deepEqual(limitWrites({ memory_bytes: 536870912, cpu: { quota_us: 150000, period_us: 100000 }, pids: 256 }), [
    { file: 'memory.max', data: '536870912' },
    { file: 'memory.swap.max', data: '0' },
    { file: 'cpu.max', data: '150000 100000' },
    { file: 'pids.max', data: '256' },
  ]);
});

test('an omitted limit is written as max (cpu keeps the kernel default period)', () => {
  assert.deepEqual(limitWrites({}), [
    { file: 'memory.max', data: 'max' },
    { file: 'memory.swap.max', data: '0' },
    { file: 'cpu.max', data: 'max 100000' },
    { file: 'pids.max', data: 'max' },
  ]);
});

test('subtreeControlWrite enables the missing controllers in one write', () => {
  assert.equal(subtreeControlWrite(['memory', 'cpu', 'pids']), '+memory +cpu +pids');
  assert.equal(subtreeControlWrite(['pids']), '+pids');
});

test('control-file parsers read the kernel formats', () => {
  assert.equal(parseMaxValue('max\n', 'memory.max'), 'max');
  assert.equal(parseMaxValue('536866816\n', 'memory.max'), 536866816);
  assert.deepEqual(parseCpuMax('150000 100000\n'), { quota_us: 150000, period_us: 100000 });
  assert.deepEqual(parseCpuMax('max 100000\n'), { quota_us: 'max', period_us: 100000 });
  assert.deepEqual(parseProcs('12\n345\n'), [12, 345]);
  assert.deepEqual(parseProcs(''), []);
  const ev = parseFlatKeyed('low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\noom_group_kill 0\n', 'memory.events');
  assert.equal(ev.get('oom_kill'), 1);
  assert.equal(ev.get('max'), 3);
});

const badValues: Array<[string, () => unknown]> = [
  ['memory.max with a unit', () => parseMaxValue('512M', 'memory.max')],
  ['memory.max negative', () => parseMaxValue('-1', 'memory.max')],
  ['memory.max empty', () => parseMaxValue('', 'memory.max')],
  ['memory.max with a leading zero', () => parseMaxValue('0123', 'memory.max')],
  ['pids.max beyond 2^53', () => parseMaxValue('99999999999999999999', 'pids.max')],
  ['cpu.max with one field', () => parseCpuMax('100000')],
  ['cpu.max with a slash', () => parseCpuMax('150000/100000')],
  ['cpu.max with a max period', () => parseCpuMax('100000 max')],
  ['cpu.max with three fields', () => parseCpuMax('1 2 3')],
  ['cgroup.procs with a name', () => parseProcs('12\nsshd\n')],
  ['memory.events with a bare key', () => parseFlatKeyed('oom_kill\n', 'memory.events')],
  ['cpu.stat with a float', () => parseFlatKeyed('usage_usec 1.5\n', 'cpu.stat')],
];
for (const [what, fn] of badValues) {
  test(`a malformed control file (${what}) is rejected, never guessed`, () => {
    assert.throws(fn, /not an unsigned integer|expected|malformed|out of range/);
  });
}

test('parseProcStatus reads Tgid and the four uids', () => {
  const text = 'Name:\tsleep\nTgid:\t4242\nPid:\t4242\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n';
  assert.deepEqual(parseProcStatus(text), { tgid: 4242, uids: [1000, 1000, 1000, 1000] });
});

const badStatus: Array<[string, string]> = [
  ['no Uid line', 'Tgid:\t5\n'],
  ['no Tgid line', 'Uid:\t1\t1\t1\t1\n'],
  ['three uids', 'Tgid:\t5\nUid:\t1\t1\t1\n'],
  ['a non-numeric uid', 'Tgid:\t5\nUid:\t1\tx\t1\t1\n'],
  ['two Uid lines', 'Tgid:\t5\nUid:\t1\t1\t1\t1\nUid:\t0\t0\t0\t0\n'],
];
for (const [what, text] of badStatus) {
  test(`a /proc status with ${what} is unreadable (null), so the pid is refused`, () => {
    assert.equal(parseProcStatus(text), null);
  });
}

test('read-back accepts memory.max rounded down within a page and nothing else', () => {
  const want = expectedCaps({ memory_bytes: 1_000_000_000, cpu: { quota_us: 50000, period_us: 100000 }, pids: 64 });
  const ok = { ...want, memory_max: 1_000_000_000 - (1_000_000_000 % 4096) };
  assert.deepEqual(capMismatches(want, ok), []);
  assert.deepEqual(capMismatches(want, { ...want, memory_max: 'max' }), ['memory.max is "max", wanted 1000000000']);
  assert.equal(capMismatches(want, { ...want, memory_max: 1_000_000_000 - 65536 }).length, 1);
  assert.equal(capMismatches(want, { ...want, memory_max: 1_000_000_001 }).length, 1);
  assert.equal(capMismatches(want, { ...want, memory_swap_max: 'max' }).length, 1);
  assert.equal(capMismatches(want, { ...want, cpu_max: { quota_us: 50000, period_us: 10000 } }).length, 1);
  assert.equal(capMismatches(want, { ...want, pids_max: 65 }).length, 1);
});

test('only hop3-app-<valid app>.scope names are hop3 leaves', () => {
  assert.equal(appOfLeafName('hop3-app-web.scope'), 'web');
  assert.equal(appOfLeafName('hop3-app-my-app-2.scope'), 'my-app-2');
  for (const name of ['hop3-app-.scope', 'hop3-app-Web.scope', 'hop3-app-web.service', 'init.scope', 'hop3-app--x.scope', 'hop3-app-web.scope.bak']) {
    assert.equal(appOfLeafName(name), null, name);
  }
});
