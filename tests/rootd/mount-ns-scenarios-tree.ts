/** Namespace scenarios: reconcile, symlinks and swaps, refusals, concurrency, latency. Run by mount-ns-runner.ts. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMountHandlers, reconcileMount } from '../../rootd/ops/mount.ts';
import { StateStore, initStateFile } from '../../rootd/state.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { ROOT_PEER } from './helpers.ts';
import { MOUNT, UMOUNT, type NsEnv, type Scenarios } from './mount-ns-env.ts';

export function treeScenarios(env: NsEnv): Scenarios {
  const { dir, config, rootd, APPS, realExec, mountDeps, call, codeOf, appDir, mountsAtPath } = env;
  return {
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
}
