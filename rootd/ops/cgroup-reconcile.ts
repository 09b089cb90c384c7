/**
 * Reconcile at start: make cgroupfs match rootd's state.
 *  - slice recorded (or any leaf recorded): ensure hop3.slice and its controllers;
 *  - each recorded leaf: re-create it if missing, re-write the caps that differ, verify all;
 *  - every hop3-app-<app>.scope under hop3.slice that the state does not hold: kill + rmdir.
 * Other directories under hop3.slice are never touched. With nothing recorded
 * and no hop3.slice on disk, nothing is read beyond one existence check, so a
 * host without usable cgroup v2 starts cleanly.
 */
import { join } from 'node:path';
import { guardCgroupLeaf, guardUnder, SLICE_NAME } from '../path-guard.ts';
import { assertRootControllers } from './cgroup-avail.ts';
import { hasLeaf, resolveCgroupDeps, type CgroupDeps } from './cgroup-deps.ts';
import { appOfLeafName } from './cgroup-files.ts';
import { ensureSlice, mkdirCgroup, reassertLimits } from './cgroup-leaf.ts';
import { removeLeaf } from './cgroup-remove.ts';
import type { ReconcileReport } from './types.ts';

const msg = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function reconcileCgroup(deps: CgroupDeps): Promise<ReconcileReport> {
  const d = resolveCgroupDeps(deps);
  const { fs, cgroupRoot: root } = d;
  const changes: string[] = [];
  const errors: string[] = [];
  const st = d.state.current.cgroup;
  const apps = Object.keys(st.leaves).sort();

  if (st.slice || apps.length > 0) {
    let ok = true;
    try {
      await assertRootControllers(fs, root);
      const r = await ensureSlice(fs, root);
      if (r.created) changes.push(`created ${SLICE_NAME}`);
      if (r.enabled.length > 0) changes.push(`enabled ${r.enabled.map((c) => `+${c}`).join(' ')} for ${SLICE_NAME}`);
      if (!st.slice) {
        await d.state.update((s) => {
          s.cgroup.slice = true;
        });
      }
    } catch (e) {
      ok = false;
      errors.push(`cannot ensure ${SLICE_NAME}: ${msg(e)}`);
    }
    for (const app of ok ? apps : []) {
      const limits = st.leaves[app];
      if (limits === undefined) continue;
      try {
        const leaf = await guardCgroupLeaf(root, app);
        if (!leaf.exists && (await mkdirCgroup(fs, leaf.path))) changes.push(`re-created leaf of ${app}`);
        const rewritten = await reassertLimits(fs, leaf.path, limits);
        if (rewritten.length > 0) changes.push(`re-wrote ${rewritten.join(', ')} for ${app}`);
      } catch (e) {
        errors.push(`leaf of ${app}: ${msg(e)}`);
      }
    }
  }

  // Orphans: leaves rootd owns by name that the state does not hold.
  let slice;
  try {
    slice = await guardUnder(root, [SLICE_NAME]);
  } catch (e) {
    errors.push(`${SLICE_NAME}: ${msg(e)}`);
    return { changes, errors };
  }
  if (!slice.exists || !(await fs.exists(join(slice.path, 'cgroup.procs')))) return { changes, errors };
  let entries;
  try {
    entries = await fs.readdir(slice.path);
  } catch (e) {
    errors.push(`cannot list ${SLICE_NAME}: ${msg(e)}`);
    return { changes, errors };
  }
  const current = d.state.current.cgroup.leaves;
  for (const e of entries) {
    if (!e.isDirectory) continue;
    const app = appOfLeafName(e.name);
    if (app === null || hasLeaf(current, app)) continue;
    try {
      const r = await removeLeaf(fs, d.proc, root, app, d.remove);
      if (r.removed) changes.push(`removed orphan leaf of ${app}${r.killed > 0 ? ` (killed ${r.killed} process${r.killed > 1 ? 'es' : ''})` : ''}`);
    } catch (err) {
      errors.push(`orphan leaf of ${app}: ${msg(err)}`);
    }
  }
  return { changes, errors };
}
