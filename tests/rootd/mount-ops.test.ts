/**
 * mount.* validators and handler bookkeeping with a fake Exec and a fixture
 * mountinfo (no root, no kernel mounts). The real kernel is exercised by
 * mount-kernel.test.ts inside a private namespace.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecRequest, ExecResult } from '../../rootd/exec.ts';
import { countMount, createMountHandlers, reconcileMount, type MountDeps } from '../../rootd/ops/mount.ts';
import { createRootd, type Rootd } from '../../rootd/rootd.ts';
import { StateStore } from '../../rootd/state.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { ALL_OPS } from '../../shared-protocol/ops/index.ts';
import { makeTempRootdConfig, ROOT_PEER, type TempRootd } from './helpers.ts';

interface FakeExec {
  calls: ExecRequest[];
  exec: (r: ExecRequest) => Promise<ExecResult>;
}
function fakeExec(reply: (r: ExecRequest) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' })): FakeExec {
  const calls: ExecRequest[] = [];
  return {
    calls,
    exec: async (r) => {
      calls.push(r);
      return reply(r);
    },
  };
}

/** A temp tree: apps/web/src/{cache/, afile, link -> outside/}, srv/{shared/, file, link -> srv/shared}, outside/. */
function makeTree(): TempRootd & { srv: string; outside: string } {
  const t = makeTempRootdConfig();
  const srv = join(t.dir, 'srv');
  const outside = join(t.dir, 'outside');
  const src = join(t.config.app_root, 'web', 'src');
  for (const d of [join(src, 'cache'), join(srv, 'shared', 'sub'), join(outside, 'x')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(src, 'afile'), 'x');
  symlinkSync(outside, join(src, 'link'));
  writeFileSync(join(srv, 'file'), 'x');
  symlinkSync(join(srv, 'shared'), join(srv, 'link'));
  t.config.bind_allowlist = [srv];
  return { ...t, srv, outside };
}

const T = (over: Record<string, unknown> = {}) => ({ app: 'web', target: 'cache', size_bytes: 65536, mode: 0o750, ...over });

describe('mount.* params refused on the wire, before any command runs', () => {
  let tree: ReturnType<typeof makeTree>;
  let rootd: Rootd;
  let fx: FakeExec;
  before(() => {
    tree = makeTree();
    fx = fakeExec();
    rootd = createRootd(tree.config, { exec: fx.exec });
  });
  after(async () => {
    await rootd.close();
    tree.cleanup();
  });

  const B = (over: Record<string, unknown> = {}) => ({ app: 'web', target: 'cache', source: join(tree.srv, 'shared'), read_only: true, ...over });

  const rows: Array<[string, string, () => Record<string, unknown>, string]> = [
    // target
    ['an absolute target', 'mount.tmpfs', () => T({ target: '/etc' }), 'E_INVALID_PARAMS'],
    ['a ".." target', 'mount.tmpfs', () => T({ target: '..' }), 'E_PATH_OUTSIDE_ROOT'],
    ['a target climbing out through ".."', 'mount.tmpfs', () => T({ target: 'cache/../../../etc' }), 'E_PATH_OUTSIDE_ROOT'],
    ['a "." target (the src/ root itself)', 'mount.tmpfs', () => T({ target: '.' }), 'E_PATH_OUTSIDE_ROOT'],
    ['a target with a NUL byte', 'mount.tmpfs', () => T({ target: 'ca\u0000che' }), 'E_INVALID_PARAMS'],
    ['a target with a newline', 'mount.tmpfs', () => T({ target: 'ca\nche' }), 'E_INVALID_PARAMS'],
    ['a target with a backslash', 'mount.tmpfs', () => T({ target: 'ca\\che' }), 'E_INVALID_PARAMS'],
    ['a target with a comma', 'mount.tmpfs', () => T({ target: 'a,b' }), 'E_INVALID_PARAMS'],
    ['an empty target', 'mount.tmpfs', () => T({ target: '' }), 'E_INVALID_PARAMS'],
    ['a 600-char target', 'mount.tmpfs', () => T({ target: 'a'.repeat(600) }), 'E_INVALID_PARAMS'],
    ['a target that is not a string', 'mount.tmpfs', () => T({ target: 7 }), 'E_INVALID_PARAMS'],
    ['a missing target directory', 'mount.tmpfs', () => T({ target: 'nope' }), 'E_MOUNT_TARGET_INVALID'],
    ['a target that is a file', 'mount.tmpfs', () => T({ target: 'afile' }), 'E_MOUNT_TARGET_INVALID'],
    ['a target through a symlinked directory', 'mount.tmpfs', () => T({ target: 'link/x' }), 'E_PATH_SYMLINK'],
    ['a target that is a symlink', 'mount.tmpfs', () => T({ target: 'link' }), 'E_PATH_SYMLINK'],
    // app
    ['an uppercase app name', 'mount.tmpfs', () => T({ app: 'Web' }), 'E_INVALID_PARAMS'],
    ['an app name with a leading dash', 'mount.tmpfs', () => T({ app: '-web' }), 'E_INVALID_PARAMS'],
    ['an app name with a slash', 'mount.tmpfs', () => T({ app: '../web' }), 'E_INVALID_PARAMS'],
    ['an empty app name', 'mount.tmpfs', () => T({ app: '' }), 'E_INVALID_PARAMS'],
    ['a 64-char app name', 'mount.tmpfs', () => T({ app: 'a'.repeat(64) }), 'E_INVALID_PARAMS'],
    // size
    ['size 0', 'mount.tmpfs', () => T({ size_bytes: 0 }), 'E_INVALID_PARAMS'],
    ['a size below 64 KiB', 'mount.tmpfs', () => T({ size_bytes: 61440 }), 'E_INVALID_PARAMS'],
    ['a size above 64 GiB', 'mount.tmpfs', () => T({ size_bytes: 64 * 1024 ** 3 + 4096 }), 'E_INVALID_PARAMS'],
    ['a size that is not a multiple of 4096', 'mount.tmpfs', () => T({ size_bytes: 65537 }), 'E_INVALID_PARAMS'],
    ['a fractional size', 'mount.tmpfs', () => T({ size_bytes: 65536.5 }), 'E_INVALID_PARAMS'],
    ['a size as a string', 'mount.tmpfs', () => T({ size_bytes: '64k' }), 'E_INVALID_PARAMS'],
    ['a negative size', 'mount.tmpfs', () => T({ size_bytes: -65536 }), 'E_INVALID_PARAMS'],
    // mode
    ['a negative mode', 'mount.tmpfs', () => T({ mode: -1 }), 'E_INVALID_PARAMS'],
    ['a setgid mode (0o2755)', 'mount.tmpfs', () => T({ mode: 0o2755 }), 'E_INVALID_PARAMS'],
    ['a setuid mode (0o4755)', 'mount.tmpfs', () => T({ mode: 0o4755 }), 'E_INVALID_PARAMS'],
    ['a fractional mode', 'mount.tmpfs', () => T({ mode: 1.5 }), 'E_INVALID_PARAMS'],
    ['a mode as an octal string', 'mount.tmpfs', () => T({ mode: '0750' }), 'E_INVALID_PARAMS'],
    ['a missing mode', 'mount.tmpfs', () => ({ app: 'web', target: 'cache', size_bytes: 65536 }), 'E_INVALID_PARAMS'],
    ['an extra field', 'mount.tmpfs', () => T({ options: 'exec' }), 'E_INVALID_PARAMS'],
    // bind
    ['a relative bind source', 'mount.bind', () => B({ source: 'srv/shared' }), 'E_INVALID_PARAMS'],
    ['a bind source with a NUL byte', 'mount.bind', () => B({ source: '/srv\u0000/x' }), 'E_INVALID_PARAMS'],
    ['a bind source outside the allow-list', 'mount.bind', () => B({ source: join(tree.outside, 'x') }), 'E_BIND_NOT_ALLOWED'],
    ['a bind source of /etc', 'mount.bind', () => B({ source: '/etc' }), 'E_BIND_NOT_ALLOWED'],
    ['a bind source reached through a symlink', 'mount.bind', () => B({ source: join(tree.srv, 'link') }), 'E_PATH_SYMLINK'],
    ['a bind source climbing out with ".."', 'mount.bind', () => B({ source: `${tree.srv}/../outside` }), 'E_PATH_SYMLINK'],
    ['a missing bind source', 'mount.bind', () => B({ source: join(tree.srv, 'missing') }), 'E_NOT_FOUND'],
    ['a bind source that is a file', 'mount.bind', () => B({ source: join(tree.srv, 'file') }), 'E_MOUNT_SOURCE_INVALID'],
    ['a bind without read_only', 'mount.bind', () => ({ app: 'web', target: 'cache', source: join(tree.srv, 'shared') }), 'E_INVALID_PARAMS'],
    ['a bind with read_only as a string', 'mount.bind', () => B({ read_only: 'true' }), 'E_INVALID_PARAMS'],
    ['a bind onto a symlinked target', 'mount.bind', () => B({ target: 'link' }), 'E_PATH_SYMLINK'],
    ['a bind with a bad app name', 'mount.bind', () => B({ app: 'WEB' }), 'E_INVALID_PARAMS'],
    // unmount / list
    ['an unmount of a target never recorded', 'mount.unmount', () => ({ app: 'web', target: 'cache' }), 'E_NOT_FOUND'],
    ['an unmount with lazy as a string', 'mount.unmount', () => ({ app: 'web', target: 'cache', lazy: 'yes' }), 'E_INVALID_PARAMS'],
    ['an unmount with an absolute target', 'mount.unmount', () => ({ app: 'web', target: '/etc' }), 'E_INVALID_PARAMS'],
    ['an unmount climbing out with ".."', 'mount.unmount', () => ({ app: 'web', target: '../../x' }), 'E_PATH_OUTSIDE_ROOT'],
    ['a list with a bad app name', 'mount.list', () => ({ app: 'Bad App' }), 'E_INVALID_PARAMS'],
    ['a list with an extra field', 'mount.list', () => ({ all: true }), 'E_INVALID_PARAMS'],
  ];

  let n = 0;
  for (const [what, op, params, code] of rows) {
    test(`${op} with ${what} is refused with ${code}`, async () => {
      const before = fx.calls.length;
      const rep = JSON.parse(await rootd.dispatcher.handleLine(JSON.stringify({ v: 1, id: `r${++n}`, op, params: params() }), ROOT_PEER)) as {
        ok: boolean;
        error?: { code: string };
      };
      assert.equal(rep.ok, false);
      assert.equal(rep.error?.code, code);
      assert.equal(fx.calls.length, before, 'no command may run for a refused request');
      assert.equal(rootd.state.current.mount.mounts.length, 0, 'nothing may be recorded for a refused request');
    });
  }
});

describe('mount handlers re-check what the schema already checks (defence in depth)', () => {
  let tree: ReturnType<typeof makeTree>;
  let deps: MountDeps;
  let fx: FakeExec;
  before(() => {
    tree = makeTree();
    fx = fakeExec();
    deps = { exec: fx.exec, state: StateStore.open(tree.config.state_file), appRoot: tree.config.app_root, bindAllowlist: tree.config.bind_allowlist };
  });
  after(() => tree.cleanup());

  const ctx = { peer: ROOT_PEER, requestId: 'direct' };
  const rows: Array<[string, (h: ReturnType<typeof createMountHandlers>) => Promise<unknown>, string]> = [
    ['an absolute target', (h) => h['mount.tmpfs'](T({ target: '/etc' }) as never, ctx), 'E_PATH_OUTSIDE_ROOT'],
    ['a NUL in the target', (h) => h['mount.tmpfs'](T({ target: 'a\u0000b' }) as never, ctx), 'E_PATH_OUTSIDE_ROOT'],
    ['a bad app name', (h) => h['mount.tmpfs'](T({ app: '../etc' }) as never, ctx), 'E_INVALID_APP_NAME'],
    ['a bad app name on unmount', (h) => h['mount.unmount']({ app: 'A', target: 'x' }, ctx), 'E_INVALID_APP_NAME'],
    ['a bad app name on list', (h) => h['mount.list']({ app: 'A' }, ctx), 'E_INVALID_APP_NAME'],
    ['a relative bind source', (h) => h['mount.bind']({ app: 'web', target: 'cache', source: 'srv', read_only: true }, ctx), 'E_PATH_OUTSIDE_ROOT'],
    ['an absolute unmount target', (h) => h['mount.unmount']({ app: 'web', target: '/x' }, ctx), 'E_PATH_OUTSIDE_ROOT'],
  ];
  for (const [what, call, code] of rows) {
    test(`a direct handler call with ${what} throws ${code}`, async () => {
      const h = createMountHandlers(deps);
      await assert.rejects(call(h), (e: unknown) => isHop3Error(e) && e.code === code);
      assert.equal(fx.calls.length, 0);
    });
  }

  test('an allow-list entry that contains the app root cannot be used to bind an app tree', async () => {
    const h = createMountHandlers({ ...deps, bindAllowlist: [tree.dir] });
    await assert.rejects(
      h['mount.bind']({ app: 'web', target: 'cache', source: join(tree.config.app_root, 'web', 'src'), read_only: true }, ctx),
      (e: unknown) => isHop3Error(e) && e.code === 'E_BIND_NOT_ALLOWED',
    );
  });

  test('with an empty allow-list every bind is refused', async () => {
    const h = createMountHandlers({ ...deps, bindAllowlist: [] });
    await assert.rejects(
      h['mount.bind']({ app: 'web', target: 'cache', source: join(tree.srv, 'shared'), read_only: true }, ctx),
      (e: unknown) => isHop3Error(e) && e.code === 'E_BIND_NOT_ALLOWED',
    );
  });
});

describe('mount handler bookkeeping with a fake Exec', () => {
  const MI_EMPTY = '24 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n';
  const ctx = { peer: ROOT_PEER, requestId: 'book' };

  test('a mount(8) failure is reported with its first line and the record is reverted', async () => {
    const tree = makeTree();
    try {
      const fx = fakeExec(() => ({ code: 32, stdout: '', stderr: 'mount: /x: permission denied.\n       dmesg(1) may have more information\n' }));
      const deps: MountDeps = {
        exec: fx.exec,
        state: StateStore.open(tree.config.state_file),
        appRoot: tree.config.app_root,
        bindAllowlist: tree.config.bind_allowlist,
        readMountinfo: async () => MI_EMPTY,
      };
      const h = createMountHandlers(deps);
      await assert.rejects(h['mount.tmpfs'](T(), ctx), (e: unknown) => isHop3Error(e) && e.code === 'E_MOUNT_FAILED' && /permission denied\.$/.test(e.message));
      assert.equal(fx.calls.length, 1);
      const [call] = fx.calls;
      assert.equal(call?.bin, 'mount');
      assert.deepEqual(call?.args.slice(0, 6), ['--no-canonicalize', '-t', 'tmpfs', '-o', `nosuid,nodev,noexec,size=65536,mode=0750,uid=${process.getuid?.()},gid=${process.getgid?.()}`, 'hop3-tmpfs']);
      assert.match(call?.args[6] ?? '', new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
      assert.deepEqual(deps.state.current.mount.mounts, []);
      assert.equal(countMount(deps), 0);
      // the revert is durable, not just in memory
      assert.deepEqual(StateStore.open(tree.config.state_file).current.mount.mounts, []);
    } finally {
      tree.cleanup();
    }
  });

  test('a bind source claimed by another app is refused before anything runs', async () => {
    const tree = makeTree();
    try {
      const fx = fakeExec();
      const state = StateStore.open(tree.config.state_file);
      const source = join(tree.srv, 'shared');
      await state.update((d) => {
        d.mount.mounts.push({ kind: 'bind', app: 'api', target: 'data', source, read_only: false });
      });
      const h = createMountHandlers({ exec: fx.exec, state, appRoot: tree.config.app_root, bindAllowlist: tree.config.bind_allowlist, readMountinfo: async () => MI_EMPTY });
      await assert.rejects(h['mount.bind']({ app: 'web', target: 'cache', source, read_only: true }, ctx), (e: unknown) => isHop3Error(e) && e.code === 'E_BIND_CLAIMED');
      assert.equal(fx.calls.length, 0);
      assert.equal(state.current.mount.mounts.length, 1);
    } finally {
      tree.cleanup();
    }
  });

  test('mount.list shows each record with whether mountinfo has it and its options, filtered by app', async () => {
    const tree = makeTree();
    try {
      const state = StateStore.open(tree.config.state_file);
      const apps = tree.config.app_root;
      await state.update((d) => {
        d.mount.mounts.push({ kind: 'tmpfs', app: 'web', target: 'my cache', size_bytes: 65536, mode: 0o750 });
        d.mount.mounts.push({ kind: 'tmpfs', app: 'web', target: 'gone', size_bytes: 65536, mode: 0o750 });
        d.mount.mounts.push({ kind: 'bind', app: 'api', target: 'media', source: '/srv/media', read_only: true });
      });
      const mi = [
        MI_EMPTY.trim(),
        `60 24 0:40 / ${apps}/web/src/my\\040cache rw,nosuid,nodev,noexec,relatime - tmpfs hop3-tmpfs rw,size=64k,mode=750`,
        `61 24 254:0 /srv/media ${apps}/api/src/media ro,nosuid,nodev,relatime - ext4 /dev/vda rw`,
      ].join('\n');
      const h = createMountHandlers({ exec: fakeExec().exec, state, appRoot: apps, bindAllowlist: [], readMountinfo: async () => mi });
      const all = await h['mount.list']({}, ctx);
      assert.deepEqual(
        all.mounts.map((m) => [m.record.app, m.record.target, m.path, m.mounted, m.options.join(',')]),
        [
          ['web', 'my cache', `${apps}/web/src/my cache`, true, 'rw,nosuid,nodev,noexec,relatime'],
          ['web', 'gone', `${apps}/web/src/gone`, false, ''],
          ['api', 'media', `${apps}/api/src/media`, true, 'ro,nosuid,nodev,relatime'],
        ],
      );
      const api = await h['mount.list']({ app: 'api' }, ctx);
      assert.deepEqual(api.mounts.map((m) => m.record.target), ['media']);
      assert.equal(countMount({ state }), 3);
    } finally {
      tree.cleanup();
    }
  });

  test('a mount.list result passes its own result schema', async () => {
    const op = ALL_OPS.find((o) => o.name === 'mount.list');
    assert.ok(op);
    const tree = makeTree();
    try {
      const rootd = createRootd(tree.config, { exec: fakeExec().exec });
      const rep = JSON.parse(await rootd.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'l', op: 'mount.list', params: {} }), ROOT_PEER)) as { ok: boolean };
      assert.equal(rep.ok, true);
      await rootd.close();
    } finally {
      tree.cleanup();
    }
  });

  test('reconcile with nothing recorded and no mounts under the app root changes nothing and runs nothing', async () => {
    const tree = makeTree();
    try {
      const fx = fakeExec();
      const deps: MountDeps = {
        exec: fx.exec,
        state: StateStore.open(tree.config.state_file),
        appRoot: tree.config.app_root,
        bindAllowlist: [],
        readMountinfo: async () => `${MI_EMPTY}70 24 0:50 / /tmp/elsewhere rw - tmpfs t rw\n`,
      };
      assert.deepEqual(await reconcileMount(deps), { changes: [], errors: [] });
      assert.equal(fx.calls.length, 0);
    } finally {
      tree.cleanup();
    }
  });

  test('reconcile reports a recorded mount whose target directory is gone as an error, not a crash', async () => {
    const tree = makeTree();
    try {
      const fx = fakeExec();
      const state = StateStore.open(tree.config.state_file);
      await state.update((d) => {
        d.mount.mounts.push({ kind: 'tmpfs', app: 'web', target: 'vanished', size_bytes: 65536, mode: 0o750 });
      });
      const r = await reconcileMount({ exec: fx.exec, state, appRoot: tree.config.app_root, bindAllowlist: [], readMountinfo: async () => MI_EMPTY });
      assert.deepEqual(r.changes, []);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0] ?? '', /tmpfs web:vanished: .*missing/);
      assert.equal(fx.calls.length, 0);
      assert.equal(state.current.mount.mounts.length, 1, 'reconcile never drops a record');
    } finally {
      tree.cleanup();
    }
  });
});
