/**
 * Runs mount.* scenarios against the real kernel. NOT a test file: it is
 * spawned by mount-kernel.test.ts as
 *   unshare -m --propagation private -- node --import tsx tests/rootd/mount-ns-runner.ts <workdir>
 * and refuses to run unless its mount namespace differs from the spawning
 * test's (HOP3_TEST_HOST_MNT_NS), so no
 * mount it makes can reach the host. Prints one JSON line per scenario:
 *   {"scenario": name, "ok": true, "facts": {...}} | {"scenario": name, "ok": false, "error": "..."}
 * The test asserts on the facts; this file only observes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readlinkSync, readFileSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { createExec } from '../../rootd/exec.ts';
import { createMountHandlers, reconcileMount, type MountDeps } from '../../rootd/ops/mount.ts';
import { parseMountinfo } from '../../rootd/ops/mount-mountinfo.ts';
import { createRootd, type Rootd } from '../../rootd/rootd.ts';
import { StateStore, initStateFile } from '../../rootd/state.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { ROOT_PEER } from './helpers.ts';

const workdir = process.argv[2];
if (workdir === undefined) throw new Error('usage: mount-ns-runner.ts <workdir>');
// The spawning test passes its own mount namespace; we must be in a different one.
// Also a private network namespace, so a stray firewall call could not reach the host either.
const hostNs = process.env['HOP3_TEST_HOST_MNT_NS'];
const hostNet = process.env['HOP3_TEST_HOST_NET_NS'];
if (
  hostNs === undefined ||
  hostNet === undefined ||
  !hostNs.startsWith('mnt:[') ||
  readlinkSync('/proc/self/ns/mnt') === hostNs ||
  readlinkSync('/proc/self/ns/net') === hostNet
) {
  process.stderr.write('mount-ns-runner: refusing to run outside a private mount namespace (spawn it from mount-kernel.test.ts)\n');
  process.exit(3);
}

const dir = realpathSync(workdir);
for (const d of ['apps', 'state', 'log', 'srv/shared', 'srv/other', 'outside', 'run', 'cgroup', 'nginx/sites', 'tls']) mkdirSync(join(dir, d), { recursive: true });
const MOUNT = '/usr/bin/mount';
const UMOUNT = '/usr/bin/umount';
const config: RootdConfig = {
  socket: { path: join(dir, 'run', 'rootd.sock'), group: 0, allowed_uids: [] },
  state_file: join(dir, 'state', 'state.json'),
  op_log: join(dir, 'log', 'oplog.jsonl'),
  app_root: join(dir, 'apps'),
  cgroup_root: join(dir, 'cgroup'),
  nginx: { binary: '/usr/sbin/nginx', conf: join(dir, 'nginx', 'nginx.conf'), site_dir: join(dir, 'nginx', 'sites'), tls_dir: join(dir, 'tls') },
  binaries: { nft: '/usr/sbin/nft', mount: MOUNT, umount: UMOUNT },
  bind_allowlist: [join(dir, 'srv')],
};
initStateFile(config.state_file);
const rootd: Rootd = createRootd(config);
const APPS = config.app_root;
const realExec = createExec({ nft: '/usr/sbin/nft', nginx: '/usr/sbin/nginx', mount: MOUNT, umount: UMOUNT });
// Only the mount family reconciles here: rootd.reconcile() would also run the
// firewall/nginx passes, which have no business in this test.
const mountDeps: MountDeps = { exec: realExec, state: rootd.state, appRoot: APPS, bindAllowlist: config.bind_allowlist };

type Reply = { ok: boolean; result?: Record<string, unknown>; error?: { code: string; message: string; hint?: string } };
let seq = 0;
async function call(op: string, params: unknown): Promise<Reply> {
  return JSON.parse(await rootd.dispatcher.handleLine(JSON.stringify({ v: 1, id: `t${++seq}`, op, params }), ROOT_PEER)) as Reply;
}
const codeOf = (r: Reply): string => (r.ok ? 'OK' : (r.error?.code ?? '?'));
function appDir(app: string, ...segs: string[]): string {
  const p = join(APPS, app, 'src', ...segs);
  mkdirSync(p, { recursive: true });
  return p;
}
const mountinfo = () => parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
const mountsAtPath = (p: string) => mountinfo().filter((e) => e.mountPoint === p);
function errnoOf(fn: () => void): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

const scenarios: Record<string, () => Promise<Record<string, unknown>>> = {
  async tmpfs_size_mode_owner_and_enospc() {
    const p = appDir('web', 'cache');
    chownSync(p, 1234, 2345);
    const r = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 256 * 1024, mode: 0o750 });
    const at = mountsAtPath(p);
    const st = statSync(p);
    const small = errnoOf(() => writeFileSync(join(p, 'small'), Buffer.alloc(64 * 1024)));
    const big = errnoOf(() => writeFileSync(join(p, 'big'), Buffer.alloc(300 * 1024)));
    const again = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 256 * 1024, mode: 0o750 });
    const other = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 512 * 1024, mode: 0o750 });
    return {
      reply: codeOf(r),
      changed: r.result?.['changed'],
      path: r.result?.['path'],
      expectedPath: p,
      mounts: at.length,
      fsType: at[0]?.fsType,
      source: at[0]?.source,
      mountOptions: at[0]?.mountOptions,
      superOptions: at[0]?.superOptions,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      writePastSize: big,
      writeSmall: small,
      repeat: codeOf(again),
      repeatChanged: again.result?.['changed'],
      mountsAfterRepeat: mountsAtPath(p).length,
      differentSize: codeOf(other),
    };
  },

  async bind_read_only_refuses_writes_while_source_stays_writable() {
    const src = join(dir, 'srv', 'shared');
    writeFileSync(join(src, 'hello.txt'), 'hi');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const p = appDir('web', 'shared');
    const r = await call('mount.bind', { app: 'web', target: 'shared', source: src, read_only: true });
    const at = mountsAtPath(p);
    const readBack = readFileSync(join(p, 'hello.txt'), 'utf8');
    const writeTarget = errnoOf(() => writeFileSync(join(p, 'new.txt'), 'x'));
    const writeSource = errnoOf(() => writeFileSync(join(src, 'from-source.txt'), 'y'));
    const seenThroughTarget = errnoOf(() => readFileSync(join(p, 'from-source.txt')));
    const p2 = appDir('api', 'shared');
    const claim = await call('mount.bind', { app: 'api', target: 'shared', source: src, read_only: false });
    const claimSub = await call('mount.bind', { app: 'api', target: 'shared', source: join(src, 'sub'), read_only: true });
    const list = await call('mount.list', { app: 'web' });
    return {
      reply: codeOf(r),
      mounts: at.length,
      mountOptions: at[0]?.mountOptions,
      readBack,
      writeTarget,
      writeSource,
      seenThroughTarget,
      claim: codeOf(claim),
      claimSub: codeOf(claimSub),
      apiMounted: mountsAtPath(p2).length,
      list: list.result?.['mounts'],
    };
  },

  async bind_read_write_allows_writes() {
    const src = join(dir, 'srv', 'other');
    const p = appDir('rw', 'data');
    const r = await call('mount.bind', { app: 'rw', target: 'data', source: src, read_only: false });
    const write = errnoOf(() => writeFileSync(join(p, 'w.txt'), 'x'));
    return { reply: codeOf(r), mountOptions: mountsAtPath(p)[0]?.mountOptions, write, inSource: readFileSync(join(src, 'w.txt'), 'utf8') };
  },

  async busy_unmount_fails_then_lazy_succeeds() {
    const p = appDir('web', 'busy');
    await call('mount.tmpfs', { app: 'web', target: 'busy', size_bytes: 65536, mode: 0o755 });
    let child: ChildProcess | undefined;
    try {
      child = spawn('/bin/sleep', ['60'], { cwd: p, stdio: 'ignore' });
      await new Promise((res) => setTimeout(res, 200));
      const busy = await call('mount.unmount', { app: 'web', target: 'busy' });
      const stillRecorded = ((await call('mount.list', { app: 'web' })).result?.['mounts'] as Array<{ record: { target: string }; mounted: boolean }>).find(
        (m) => m.record.target === 'busy',
      );
      const lazy = await call('mount.unmount', { app: 'web', target: 'busy', lazy: true });
      const after = ((await call('mount.list', { app: 'web' })).result?.['mounts'] as Array<{ record: { target: string } }>).some((m) => m.record.target === 'busy');
      const again = await call('mount.unmount', { app: 'web', target: 'busy' });
      return {
        busy: codeOf(busy),
        busyHint: busy.error?.hint,
        stillRecordedAndMounted: stillRecorded?.mounted,
        lazy: codeOf(lazy),
        lazyResult: lazy.result,
        mountsAfter: mountsAtPath(p).length,
        recordedAfter: after,
        unmountAgain: codeOf(again),
      };
    } finally {
      if (child?.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }
  },

  async plain_unmount_removes_mount_and_record() {
    const p = appDir('web', 'plain dir');
    const m = await call('mount.tmpfs', { app: 'web', target: 'plain dir', size_bytes: 65536, mode: 0o700 });
    const before = mountsAtPath(p).length;
    const escapedInFile = readFileSync('/proc/self/mountinfo', 'utf8').includes('/plain\\040dir ');
    const u = await call('mount.unmount', { app: 'web', target: 'plain dir' });
    return { mount: codeOf(m), before, unmount: codeOf(u), result: u.result, after: mountsAtPath(p).length, escapedInFile };
  },

  async reconcile_remounts_recorded_and_removes_unrecorded() {
    const rec = appDir('web', 'recon');
    const dup = appDir('web', 'dup');
    const stray = appDir('other', 'stray');
    const outside = join(dir, 'outside');
    const notSrc = join(APPS, 'other', 'notsrc');
    mkdirSync(notSrc, { recursive: true });
    await call('mount.tmpfs', { app: 'web', target: 'recon', size_bytes: 65536, mode: 0o755 });
    await call('mount.tmpfs', { app: 'web', target: 'dup', size_bytes: 65536, mode: 0o755 });
    const bindP = join(APPS, 'web', 'src', 'shared');
    execFileSync(MOUNT, ['-o', 'remount,bind,rw', bindP]);
    const bindDrifted = mountsAtPath(bindP)[0]?.mountOptions;
    execFileSync(UMOUNT, [rec]);
    execFileSync(MOUNT, ['-t', 'tmpfs', '-o', 'size=64k', 'stack', dup]);
    execFileSync(MOUNT, ['-t', 'tmpfs', '-o', 'size=64k', 'stray', stray]);
    execFileSync(MOUNT, ['-t', 'tmpfs', '-o', 'size=64k', 'outside', outside]);
    execFileSync(MOUNT, ['-t', 'tmpfs', '-o', 'size=64k', 'notsrc', notSrc]);
    const first = await reconcileMount(mountDeps);
    const facts = {
      changes: first.changes,
      errors: first.errors,
      recon: mountsAtPath(rec).map((e) => e.source),
      dup: mountsAtPath(dup).length,
      dupOptions: mountsAtPath(dup)[0]?.mountOptions,
      bindDrifted,
      bindAfter: mountsAtPath(bindP)[0]?.mountOptions,
      stray: mountsAtPath(stray).length,
      outside: mountsAtPath(outside).length,
      notSrc: mountsAtPath(notSrc).length,
      health: ((await call('daemon.health', {})).result?.['state'] as { mounts: number }).mounts,
    };
    const second = await reconcileMount(mountDeps);
    execFileSync(UMOUNT, [outside]);
    execFileSync(UMOUNT, [notSrc]);
    return { ...facts, secondChanges: second.changes, secondErrors: second.errors };
  },

  async symlinked_target_component_is_refused() {
    const elsewhere = join(dir, 'outside', 'elsewhere');
    mkdirSync(join(elsewhere, 'x'), { recursive: true });
    appDir('web');
    symlinkSync(elsewhere, join(APPS, 'web', 'src', 'link'));
    symlinkSync(join(elsewhere, 'x'), join(APPS, 'web', 'src', 'lastlink'));
    const mid = await call('mount.tmpfs', { app: 'web', target: 'link/x', size_bytes: 65536, mode: 0o755 });
    const last = await call('mount.tmpfs', { app: 'web', target: 'lastlink', size_bytes: 65536, mode: 0o755 });
    const bindVia = await call('mount.bind', { app: 'web', target: 'link/x', source: join(dir, 'srv', 'other'), read_only: true });
    return {
      mid: codeOf(mid),
      last: codeOf(last),
      bindVia: codeOf(bindVia),
      mountedElsewhere: mountsAtPath(join(elsewhere, 'x')).length,
    };
  },

  async symlink_swapped_in_after_the_check_cannot_redirect_the_mount() {
    const victim = join(dir, 'outside', 'victim');
    mkdirSync(victim, { recursive: true });
    const p = appDir('swap', 'target');
    const moved = join(APPS, 'swap', 'src', 'target-moved');
    const stateFile = join(dir, 'state', 'swap.json');
    initStateFile(stateFile);
    const state = StateStore.open(stateFile);
    const handlers = createMountHandlers({
      exec: realExec,
      state,
      appRoot: APPS,
      bindAllowlist: config.bind_allowlist,
      afterPin: async (path) => {
        if (path !== p) return;
        renameSync(p, moved);
        symlinkSync(victim, p);
      },
    });
    let code = 'OK';
    let message = '';
    try {
      await handlers['mount.tmpfs']({ app: 'swap', target: 'target', size_bytes: 65536, mode: 0o755 }, { peer: ROOT_PEER, requestId: 'swap' });
    } catch (e) {
      code = isHop3Error(e) ? e.code : `raw:${(e as Error).message}`;
      message = (e as Error).message;
    }
    return {
      code,
      message,
      victimMounts: mountsAtPath(victim).length,
      movedMounts: mountsAtPath(moved).length,
      recorded: state.current.mount.mounts.some((m) => m.app === 'swap'),
    };
  },

  async existing_mountpoint_and_bad_targets_are_refused() {
    const pre = appDir('web', 'pre');
    execFileSync(MOUNT, ['-t', 'tmpfs', '-o', 'size=64k', 'handmade', pre]);
    const over = await call('mount.tmpfs', { app: 'web', target: 'pre', size_bytes: 65536, mode: 0o755 });
    execFileSync(UMOUNT, [pre]);
    appDir('web');
    writeFileSync(join(APPS, 'web', 'src', 'afile'), 'x');
    const file = await call('mount.tmpfs', { app: 'web', target: 'afile', size_bytes: 65536, mode: 0o755 });
    const missing = await call('mount.tmpfs', { app: 'web', target: 'does/not/exist', size_bytes: 65536, mode: 0o755 });
    const notRecorded = await call('mount.unmount', { app: 'web', target: 'pre' });
    appDir('web', 'nest');
    appDir('web', 'nest', 'inner');
    const outer = await call('mount.tmpfs', { app: 'web', target: 'nest/inner', size_bytes: 65536, mode: 0o755 });
    const nested = await call('mount.tmpfs', { app: 'web', target: 'nest', size_bytes: 65536, mode: 0o755 });
    const recordedTargets = (deps: Readonly<{ mount: { mounts: Array<{ target: string }> } }>) => deps.mount.mounts.map((m) => m.target);
    return {
      over: codeOf(over),
      file: codeOf(file),
      missing: codeOf(missing),
      notRecorded: codeOf(notRecorded),
      outer: codeOf(outer),
      nested: codeOf(nested),
      recorded: recordedTargets(rootd.state.current),
    };
  },

  async concurrent_requests_make_one_mount() {
    const p = appDir('conc', 'c');
    const req = { app: 'conc', target: 'c', size_bytes: 65536, mode: 0o755 };
    const [a, b] = await Promise.all([call('mount.tmpfs', req), call('mount.tmpfs', req)]);
    const [x, y] = await Promise.all([call('mount.tmpfs', { ...req, target: 'd' }), call('mount.tmpfs', { ...req, target: 'd', size_bytes: 131072 })]);
    appDir('conc', 'd');
    const [x2, y2] = await Promise.all([call('mount.tmpfs', { ...req, target: 'd' }), call('mount.tmpfs', { ...req, target: 'd', size_bytes: 131072 })]);
    return {
      codes: [codeOf(a), codeOf(b)],
      changed: [a.result?.['changed'], b.result?.['changed']].sort(),
      mounts: mountsAtPath(p).length,
      missingDir: [codeOf(x), codeOf(y)],
      conflicting: [codeOf(x2), codeOf(y2)].sort(),
      dMounts: mountsAtPath(join(APPS, 'conc', 'src', 'd')).length,
    };
  },

  async latency_of_mount_and_unmount() {
    appDir('bench', 't');
    const src = join(dir, 'srv', 'bench');
    mkdirSync(src, { recursive: true });
    appDir('bench', 'b');
    const median = (xs: number[]): number => [...xs].sort((m, n) => m - n)[Math.floor(xs.length / 2)] ?? NaN;
    const tm: number[] = [];
    const tu: number[] = [];
    const bm: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t0 = performance.now();
      const m = await call('mount.tmpfs', { app: 'bench', target: 't', size_bytes: 65536, mode: 0o755 });
      tm.push(performance.now() - t0);
      t0 = performance.now();
      const u = await call('mount.unmount', { app: 'bench', target: 't' });
      tu.push(performance.now() - t0);
      t0 = performance.now();
      const b = await call('mount.bind', { app: 'bench', target: 'b', source: src, read_only: true });
      bm.push(performance.now() - t0);
      await call('mount.unmount', { app: 'bench', target: 'b' });
      if (!m.ok || !u.ok || !b.ok) throw new Error(`bench op failed: ${JSON.stringify([m, u, b])}`);
    }
    const r = (x: number): number => Math.round(x * 10) / 10;
    return { tmpfs_mount_ms_p50: r(median(tm)), unmount_ms_p50: r(median(tu)), bind_ro_mount_ms_p50: r(median(bm)), runs: tm.length };
  },
};

const only = process.argv.slice(3);
for (const [name, fn] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue;
  try {
    const facts = await fn();
    process.stdout.write(JSON.stringify({ scenario: name, ok: true, facts }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ scenario: name, ok: false, error: (e as Error).stack ?? String(e) }) + '\n');
  }
}
await rootd.close();
