/**
 * The real CgroupFs (node:fs) and the fake kernel's faithfulness: a wrong file
 * name, a wrong value format or a write to a read-only file must fail here the
 * way it fails on cgroupfs, or the handler tests would prove nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errnoOf, realCgroupFs, realProcessOps } from '../../rootd/ops/cgroup-fs.ts';
import { makeFakeCgroupTree, type FakeCgroupTree } from './fake-cgroupfs.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function errno(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return errnoOf(e);
  }
  return undefined;
}

test('the real writeFile never creates a file and never follows a symlink', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hop3-cgreal-'));
  try {
    assert.equal(await errno(realCgroupFs.writeFile(join(dir, 'memory.max'), '1')), 'ENOENT');
    writeFileSync(join(dir, 'target'), 'old\n');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    assert.equal(await errno(realCgroupFs.writeFile(join(dir, 'link'), 'new')), 'ELOOP');
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'old\n');
    await realCgroupFs.writeFile(join(dir, 'target'), 'max');
    assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'max', 'the old content is truncated');
    assert.equal(await realCgroupFs.exists(join(dir, 'link')), true);
    assert.equal(await realCgroupFs.exists(join(dir, 'nope')), false);
    assert.deepEqual((await realCgroupFs.readdir(dir)).sort((a, b) => a.name.localeCompare(b.name)), [
      { name: 'link', isDirectory: false },
      { name: 'target', isDirectory: false },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real process ops read /proc status and report a vanished pid as null / false', async () => {
  const c = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  const pid = c.pid ?? -1;
  assert.match((await realProcessOps.readStatus(pid)) ?? '', new RegExp(`^Tgid:\\s+${pid}$`, 'm'));
  const exited = new Promise((r) => c.once('exit', r));
  assert.equal(await realProcessOps.kill(pid), true);
  await exited;
  assert.equal(await realProcessOps.readStatus(pid), null);
  assert.equal(await realProcessOps.kill(pid), false);
});

async function withTree(fn: (t: FakeCgroupTree) => Promise<void>): Promise<void> {
  const t = makeFakeCgroupTree();
  try {
    await t.fs.writeFile(join(t.root, 'cgroup.subtree_control'), '+memory +cpu +pids');
    await t.fs.mkdir(join(t.root, 'app'));
    await fn(t);
  } finally {
    t.cleanup();
  }
}

const kernelRefusals: Array<[string, string, string, string]> = [
  ['a cgroup v1 file name', 'app/memory.limit_in_bytes', '536870912', 'ENOENT'],
  ['a misspelt file name', 'app/memory.swap_max', '0', 'ENOENT'],
  ['memory.max with a space before the unit', 'app/memory.max', '512 M', 'EINVAL'],
  ['memory.max negative', 'app/memory.max', '-1', 'EINVAL'],
  ['cpu.max with a slash', 'app/cpu.max', '50000/100000', 'EINVAL'],
  ['cpu.max with a period of 100 us', 'app/cpu.max', '50000 100', 'EINVAL'],
  ['cpu.max with a quota of 500 us', 'app/cpu.max', '500 100000', 'EINVAL'],
  ['cpu.max with three fields', 'app/cpu.max', '1000 100000 1', 'EINVAL'],
  ['pids.max above PID_MAX_LIMIT', 'app/pids.max', '4194305', 'EINVAL'],
  ['pids.max as a float', 'app/pids.max', '1.5', 'EINVAL'],
  ['memory.current (read-only)', 'app/memory.current', '0', 'EACCES'],
  ['memory.events (read-only)', 'app/memory.events', 'oom_kill 0', 'EACCES'],
  ['cgroup.controllers (read-only)', 'app/cgroup.controllers', 'memory', 'EACCES'],
  ['subtree_control without a sign', 'cgroup.subtree_control', 'memory', 'EINVAL'],
  ['subtree_control with an unknown controller', 'cgroup.subtree_control', '+memroy', 'EINVAL'],
  ['subtree_control enabling a controller the parent lacks', 'app/cgroup.subtree_control', '+io', 'ENOENT'],
  ['cgroup.procs with a name', 'app/cgroup.procs', 'sshd', 'EINVAL'],
  ['cgroup.procs with a dead pid', 'app/cgroup.procs', '4194303', 'ESRCH'],
  ['cgroup.kill with 2', 'app/cgroup.kill', '2', 'ERANGE'],
  ['cgroup.kill with a word', 'app/cgroup.kill', 'yes', 'EINVAL'],
];
for (const [what, rel, data, code] of kernelRefusals) {
  test(`the fake kernel refuses ${what} with ${code}`, async () => {
    await withTree(async (t) => {
      assert.equal(await errno(t.fs.writeFile(join(t.root, rel), data)), code);
    });
  });
}

test('the fake kernel stores values the way cgroupfs reads them back', async () => {
  await withTree(async (t) => {
    const w = (f: string, d: string): Promise<void> => t.fs.writeFile(join(t.root, 'app', f), d);
    await w('memory.max', '1000000000');
    assert.equal(t.read('app/memory.max'), '999997440\n', 'rounded down to a 4 KiB page');
    await w('memory.max', '512M');
    assert.equal(t.read('app/memory.max'), '536870912\n');
    await w('cpu.max', '50000 200000');
    await w('cpu.max', '70000');
    assert.equal(t.read('app/cpu.max'), '70000 200000\n', 'a lone quota keeps the period');
    await w('pids.max', 'max\n');
    assert.equal(t.read('app/pids.max'), 'max\n');
    assert.equal(await errno(t.fs.readFile(join(t.root, 'app/cgroup.kill'))), 'EACCES', 'cgroup.kill is write-only');
  });
});

test('the fake kernel creates controller files only for controllers the parent enables', async () => {
  const t = makeFakeCgroupTree();
  try {
    await t.fs.writeFile(join(t.root, 'cgroup.subtree_control'), '+pids');
    await t.fs.mkdir(join(t.root, 'a'));
    assert.equal(t.read('a/cgroup.controllers'), 'pids\n');
    assert.equal(await errno(t.fs.writeFile(join(t.root, 'a/memory.max'), '1048576')), 'ENOENT');
    await t.fs.writeFile(join(t.root, 'cgroup.subtree_control'), '+memory');
    assert.equal(t.read('a/memory.max'), 'max\n', 'enabling later adds the files to existing children');
    assert.equal(t.read('cgroup.subtree_control'), 'memory pids\n');
  } finally {
    t.cleanup();
  }
});

test('the fake kernel migrates pids, lists only live ones and refuses rmdir while populated', async () => {
  await withTree(async (t) => {
    const c = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
    children.push(c);
    const pid = c.pid ?? -1;
    await t.fs.mkdir(join(t.root, 'b'));
    await t.fs.writeFile(join(t.root, 'app/cgroup.procs'), String(pid));
    await t.fs.writeFile(join(t.root, 'b/cgroup.procs'), String(pid));
    assert.equal(await t.fs.readFile(join(t.root, 'app/cgroup.procs')), '', 'moved out of app');
    assert.equal(await t.fs.readFile(join(t.root, 'b/cgroup.procs')), `${pid}\n`);
    assert.equal(await errno(t.fs.rmdir(join(t.root, 'b'))), 'EBUSY');
    const exited = new Promise((r) => c.once('exit', r));
    await t.fs.writeFile(join(t.root, 'b/cgroup.kill'), '1');
    await exited;
    assert.equal(await t.fs.readFile(join(t.root, 'b/cgroup.procs')), '');
    await t.fs.rmdir(join(t.root, 'b'));
    assert.equal(await t.fs.exists(join(t.root, 'b')), false);
  });
});
