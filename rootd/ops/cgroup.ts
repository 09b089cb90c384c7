/**
 * cgroup.* handlers (ADR 046 §3, §6). Leaves live at
 * <cgroup_root>/hop3.slice/hop3-app-<app>.scope, derived by the path guard.
 *
 * Order in every op: availability check (read-only; nothing is written on a
 * host without usable cgroup v2) → record the intent in state → apply →
 * read back → on failure revert both the effect and the record.
 * Mutating ops of this family run one at a time.
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { CgroupLimits } from '../../shared-protocol/ops/cgroup.ts';
import { guardCgroupLeaf, leafName, SLICE_NAME } from '../path-guard.ts';
import { assertAttachable } from './cgroup-attach.ts';
import { assertRootControllers, assertSliceEnabled } from './cgroup-avail.ts';
import { hasLeaf, resolveCgroupDeps, type CgroupDeps, type ResolvedCgroupDeps } from './cgroup-deps.ts';
import { capMismatches, expectedCaps } from './cgroup-files.ts';
import { errnoOf, writeFailed } from './cgroup-fs.ts';
import { applyLimits, ensureSlice, mkdirCgroup, readCaps, readUsage } from './cgroup-leaf.ts';
import { removeLeaf } from './cgroup-remove.ts';
import type { FamilyHandlers } from './types.ts';

export type { CgroupDeps } from './cgroup-deps.ts';
export { reconcileCgroup } from './cgroup-reconcile.ts';

const leafRef = (app: string): string => `${SLICE_NAME}/${leafName(app)}`;

function limitsOf(p: { memory_bytes?: number; cpu?: { quota_us: number; period_us: number }; pids?: number }): CgroupLimits {
  return {
    ...(p.memory_bytes !== undefined ? { memory_bytes: p.memory_bytes } : {}),
    ...(p.cpu !== undefined ? { cpu: { quota_us: p.cpu.quota_us, period_us: p.cpu.period_us } } : {}),
    ...(p.pids !== undefined ? { pids: p.pids } : {}),
  };
}

/** Run `undo` steps after a failure without masking the original error. */
async function revert(original: unknown, undo: Array<() => Promise<unknown>>): Promise<never> {
  for (const step of undo) {
    try {
      await step();
    } catch {
      // The original error is what the caller needs; reconcile converges the rest.
    }
  }
  throw original;
}

function serializer(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createCgroupHandlers(deps: CgroupDeps): FamilyHandlers<'cgroup'> {
  const d: ResolvedCgroupDeps = resolveCgroupDeps(deps);
  const { fs, cgroupRoot: root, state } = d;
  const serial = serializer();

  return {
    'cgroup.ensure_slice': () =>
      serial(async () => {
        await assertRootControllers(fs, root);
        const before = state.current.cgroup.slice;
        await state.update((s) => {
          s.cgroup.slice = true;
        });
        try {
          return await ensureSlice(fs, root);
        } catch (e) {
          return revert(e, before ? [] : [() => state.update((s) => void (s.cgroup.slice = false))]);
        }
      }),

    'cgroup.set_limits': (params) =>
      serial(async () => {
        const { app } = params;
        const limits = limitsOf(params);
        await assertRootControllers(fs, root);
        await assertSliceEnabled(fs, root);
        const leaf = await guardCgroupLeaf(root, app);
        const leaves = state.current.cgroup.leaves;
        const prev = hasLeaf(leaves, app) ? leaves[app] : undefined;
        await state.update((s) => {
          s.cgroup.leaves[app] = limits;
        });
        let created = false;
        try {
          if (!leaf.exists) created = await mkdirCgroup(fs, leaf.path);
          const caps = await applyLimits(fs, leaf.path, limits);
          return { app, leaf: leafRef(app), created, caps };
        } catch (e) {
          return revert(e, [
            async () => {
              if (created) await fs.rmdir(leaf.path);
              else if (prev !== undefined) await applyLimits(fs, leaf.path, prev);
            },
            () =>
              state.update((s) => {
                if (prev !== undefined) s.cgroup.leaves[app] = prev;
                else delete s.cgroup.leaves[app];
              }),
          ]);
        }
      }),

    'cgroup.attach_pids': (params) =>
      serial(async () => {
        const { app, pids } = params;
        await assertRootControllers(fs, root);
        await assertSliceEnabled(fs, root);
        const leaf = await guardCgroupLeaf(root, app);
        if (!hasLeaf(state.current.cgroup.leaves, app)) {
          throw new Hop3Error('E_NOT_FOUND', `app ${app} has no cgroup leaf`, {
            hint: 'Call cgroup.set_limits first: processes are attached only to a leaf whose caps are in place.',
          });
        }
        if (!leaf.exists) {
          throw new Hop3Error('E_NOT_FOUND', `${leafRef(app)} is in rootd's state but missing under ${root}`, {
            hint: 'Call cgroup.set_limits again (or restart rootd, whose reconcile re-creates it).',
          });
        }
        const policy = { selfPid: d.selfPid, allowedUids: d.attachUids };
        // Check every pid before moving any: a refused list moves nothing.
        for (const pid of pids) await assertAttachable(d.proc, pid, policy);
        const procs = join(leaf.path, 'cgroup.procs');
        const attached: number[] = [];
        for (const pid of pids) {
          await assertAttachable(d.proc, pid, policy); // re-check right before the write
          try {
            await fs.writeFile(procs, String(pid));
          } catch (e) {
            if (errnoOf(e) === 'ESRCH') {
              throw new Hop3Error('E_CGROUP_PID_NOT_FOUND', `pid ${pid} exited before it could be attached (attached so far: ${attached.join(', ') || 'none'})`, {
                details: { attached },
              });
            }
            throw writeFailed(procs, String(pid), e);
          }
          attached.push(pid);
        }
        return { app, attached };
      }),

    'cgroup.read': async ({ app }) => {
      await assertRootControllers(fs, root);
      await assertSliceEnabled(fs, root);
      const leaf = await guardCgroupLeaf(root, app);
      if (!leaf.exists) {
        throw new Hop3Error('E_NOT_FOUND', `${leafRef(app)} does not exist`, { hint: 'Call cgroup.set_limits to create it.' });
      }
      const [caps, usage] = await Promise.all([readCaps(fs, leaf.path), readUsage(fs, leaf.path)]);
      const leaves = state.current.cgroup.leaves;
      const recorded = hasLeaf(leaves, app) ? leaves[app] : undefined;
      const matches_state = recorded !== undefined && capMismatches(expectedCaps(recorded), caps).length === 0;
      const { oom_kill, ...rest } = usage;
      return { app, leaf: leafRef(app), caps, matches_state, usage: rest, oom_kill };
    },

    'cgroup.remove': ({ app }) =>
      serial(async () => {
        await assertRootControllers(fs, root);
        leafName(app); // validates the name before anything is recorded
        const leaves = state.current.cgroup.leaves;
        const prev = hasLeaf(leaves, app) ? leaves[app] : undefined;
        if (prev !== undefined) {
          await state.update((s) => {
            delete s.cgroup.leaves[app];
          });
        }
        try {
          const r = await removeLeaf(fs, d.proc, root, app, d.remove);
          return { app, removed: r.removed, killed: r.killed };
        } catch (e) {
          return revert(e, prev === undefined ? [] : [() => state.update((s) => void (s.cgroup.leaves[app] = prev))]);
        }
      }),
  };
}

export function countCgroup(deps: Pick<CgroupDeps, 'state'>): number {
  return Object.keys(deps.state.current.cgroup.leaves).length;
}
