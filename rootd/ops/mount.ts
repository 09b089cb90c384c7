/**
 * mount.* handlers (ADR 046 §2, §6). Discipline for every change: take the
 * family lock, record the intent in state, apply it to the kernel, and revert
 * the record if the kernel step fails. Reconcile (mount-reconcile.ts) makes
 * the kernel match the records after a crash or restart.
 */
import { promises as fsp } from 'node:fs';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { BindRecord, MountRecord, TmpfsRecord } from '../../shared-protocol/ops/mount.ts';
import { assertAppName, guardAppSrcTarget, guardBindSource, type GuardedPath } from '../path-guard.ts';
import type { RootdState } from '../state.ts';
import { applyRecord, unmountPath } from './mount-kernel.ts';
import { kernelOf, withMountLock, type MountDeps } from './mount-deps.ts';
import { parseMountinfo } from './mount-mountinfo.ts';
import { admitRecord, assertSourceOutsideAppRoot, normalizeTarget, recordPath, topMount } from './mount-policy.ts';
import type { FamilyHandlers } from './types.ts';

export { reconcileMount } from './mount-reconcile.ts';
export type { MountDeps } from './mount-deps.ts';

const find = (s: Readonly<RootdState>, app: string, target: string): MountRecord | undefined =>
  s.mount.mounts.find((r) => r.app === app && r.target === target);

function removeRecord(draft: RootdState, app: string, target: string): void {
  draft.mount.mounts = draft.mount.mounts.filter((r) => !(r.app === app && r.target === target));
}

async function existingTarget(appRoot: string, app: string, target: string): Promise<GuardedPath> {
  const g = await guardAppSrcTarget(appRoot, app, target);
  if (!g.exists) {
    throw new Hop3Error('E_MOUNT_TARGET_INVALID', `mount target ${g.path} does not exist`, {
      hint: 'Create the target directory under the app src/ tree first (rootd never creates directories in app trees).',
    });
  }
  return g.path;
}

/** Record → apply → (revert on failure). `source` is the guarded bind source. */
async function recordAndApply<R extends TmpfsRecord | BindRecord>(
  deps: MountDeps,
  record: R,
  source?: GuardedPath,
): Promise<{ record: R; path: string; changed: boolean }> {
  return withMountLock(deps.state, async () => {
    const path = await existingTarget(deps.appRoot, record.app, record.target);
    const admitted = await deps.state.update((d) => {
      const a = admitRecord(d.mount.mounts, record);
      if (a === 'new') d.mount.mounts.push(record);
      return a;
    });
    try {
      const outcome = await applyRecord(kernelOf(deps), record, path, source);
      return { record, path, changed: outcome === 'mounted' || admitted === 'new' };
    } catch (e) {
      // A record that existed before this request stays: reconcile keeps asserting it.
      if (admitted === 'new') await deps.state.update((d) => removeRecord(d, record.app, record.target));
      throw e;
    }
  });
}

export function createMountHandlers(deps: MountDeps): FamilyHandlers<'mount'> {
  return {
    'mount.tmpfs': async (p) => {
      assertAppName(p.app);
      const record: TmpfsRecord = { kind: 'tmpfs', app: p.app, target: normalizeTarget(p.target), size_bytes: p.size_bytes, mode: p.mode };
      return recordAndApply(deps, record);
    },

    'mount.bind': async (p) => {
      assertAppName(p.app);
      const target = normalizeTarget(p.target);
      const source = await guardBindSource(p.source, deps.bindAllowlist);
      assertSourceOutsideAppRoot(source, deps.appRoot);
      if (!(await fsp.stat(source)).isDirectory()) {
        throw new Hop3Error('E_MOUNT_SOURCE_INVALID', `bind source ${source} is not a directory`);
      }
      const record: BindRecord = { kind: 'bind', app: p.app, target, source, read_only: p.read_only };
      return recordAndApply(deps, record, source);
    },

    'mount.unmount': async (p) => {
      assertAppName(p.app);
      const target = normalizeTarget(p.target);
      return withMountLock(deps.state, async () => {
        const rec = find(deps.state.current, p.app, target);
        if (rec === undefined) {
          throw new Hop3Error('E_NOT_FOUND', `no mount recorded for ${p.app}:${target}`, {
            hint: 'List the recorded mounts with mount.list; rootd only unmounts what it mounted.',
          });
        }
        const path = recordPath(deps.appRoot, rec);
        await deps.state.update((d) => removeRecord(d, p.app, target));
        try {
          const r = await unmountPath(kernelOf(deps), p.app, target.split('/'), { lazy: p.lazy === true });
          return { path, was_mounted: r.wasMounted, lazy: r.lazy };
        } catch (e) {
          await deps.state.update((d) => {
            if (find(d, rec.app, rec.target) === undefined) d.mount.mounts.push(rec);
          });
          throw e;
        }
      });
    },

    'mount.list': async (p) => {
      if (p.app !== undefined) assertAppName(p.app);
      const entries = parseMountinfo(await kernelOf(deps).readMountinfo());
      const mounts = deps.state.current.mount.mounts
        .filter((r) => p.app === undefined || r.app === p.app)
        .map((record) => {
          const path = recordPath(deps.appRoot, record);
          const { top } = topMount(entries, path);
          const mounted = top !== undefined && (record.kind !== 'tmpfs' || top.fsType === 'tmpfs');
          return { record, path, mounted, options: top ? [...top.mountOptions] : [] };
        });
      return { mounts };
    },
  };
}

export function countMount(deps: Pick<MountDeps, 'state'>): number {
  return deps.state.current.mount.mounts.length;
}
