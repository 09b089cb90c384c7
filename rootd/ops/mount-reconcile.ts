/**
 * reconcileMount: make the kernel match the recorded mounts.
 *  - a recorded mount that is missing is mounted again;
 *  - stacked duplicates at a recorded path are removed down to one;
 *  - a recorded mount whose flags drifted is re-asserted (remount); one that is
 *    the wrong thing entirely (other fstype / other bind source) is replaced;
 *  - a mount strictly under <APP_ROOT>/<app>/src/ that no record names is
 *    unmounted (lazily if busy). Nothing outside those trees is ever touched.
 * Each change is reported as a sentence; failures are reported, never thrown.
 */
import { guardAppSrcTarget, guardBindSource, type GuardedPath } from '../path-guard.ts';
import type { MountRecord } from '../../shared-protocol/ops/mount.ts';
import { applyRecord, inspectRecord, reassertFlags, unmountPath, type MountKernel } from './mount-kernel.ts';
import { parseMountinfo } from './mount-mountinfo.ts';
import { assertSourceOutsideAppRoot, topMount, unownedMounts } from './mount-policy.ts';
import { kernelOf, withMountLock, type MountDeps } from './mount-deps.ts';
import type { ReconcileReport } from './types.ts';

const describe = (r: MountRecord): string =>
  r.kind === 'tmpfs' ? `tmpfs ${r.app}:${r.target}` : `bind ${r.app}:${r.target} <- ${r.source}${r.read_only ? ' (ro)' : ''}`;

const depth = (r: MountRecord): number => r.target.split('/').length;

async function reconcileOne(k: MountKernel, deps: MountDeps, r: MountRecord, changes: string[]): Promise<void> {
  const segs = r.target.split('/');
  let source: GuardedPath | undefined;
  if (r.kind === 'bind') {
    try {
      source = await guardBindSource(r.source, deps.bindAllowlist);
      assertSourceOutsideAppRoot(source, deps.appRoot);
    } catch (e) {
      // The operator withdrew the source: do not keep serving it.
      const u = await unmountPath(k, r.app, segs, { lazy: true });
      if (u.wasMounted) changes.push(`unmounted ${describe(r)}: its source is no longer allowed`);
      throw e;
    }
  }
  const g = await guardAppSrcTarget(deps.appRoot, r.app, r.target);
  if (!g.exists) throw new Error(`target ${g.path} is missing; cannot mount`);
  const path = g.path;

  const { stacked } = topMount(parseMountinfo(await k.readMountinfo()), path);
  if (stacked > 1) {
    await unmountPath(k, r.app, segs, { lazy: true, layers: stacked - 1 });
    changes.push(`removed ${stacked - 1} duplicate mount(s) stacked on ${describe(r)}`);
  }
  const seen = await inspectRecord(k, r, path);
  if (seen.mounted && seen.diff.length > 0) {
    const replace = seen.diff.some((d) => d.startsWith('fstype') || d.startsWith('bound to'));
    if (replace) {
      await unmountPath(k, r.app, segs, { lazy: true });
      changes.push(`unmounted a foreign mount at ${describe(r)} (${seen.diff.join('; ')})`);
    } else {
      await reassertFlags(k, r, path);
      changes.push(`re-asserted ${describe(r)} (${seen.diff.join('; ')})`);
      return;
    }
  } else if (seen.mounted) {
    return;
  }
  await applyRecord(k, r, path, source);
  changes.push(`mounted ${describe(r)} (recorded but not mounted)`);
}

export async function reconcileMount(deps: MountDeps): Promise<ReconcileReport> {
  return withMountLock(deps.state, async () => {
    const k = kernelOf(deps);
    const changes: string[] = [];
    const errors: string[] = [];
    const records = [...deps.state.current.mount.mounts].sort((a, b) => depth(a) - depth(b));
    for (const r of records) {
      try {
        await reconcileOne(k, deps, r, changes);
      } catch (e) {
        errors.push(`${describe(r)}: ${(e as Error).message}`);
      }
    }
    let unowned;
    try {
      unowned = unownedMounts(parseMountinfo(await k.readMountinfo()), records, deps.appRoot);
    } catch (e) {
      errors.push(`cannot read mountinfo: ${(e as Error).message}`);
      return { changes, errors };
    }
    for (const u of unowned) {
      try {
        const res = await unmountPath(k, u.app, u.segments, { lazy: true });
        if (res.wasMounted) changes.push(`unmounted unrecorded mount ${u.path}${u.count > 1 ? ` (${u.count} stacked)` : ''}${res.lazy ? ' (lazily: it was busy)' : ''}`);
      } catch (e) {
        errors.push(`unrecorded mount ${u.path}: ${(e as Error).message}`);
      }
    }
    return { changes, errors };
  });
}
