/** What the cgroup family needs, and the defaults rootd uses in production. */
import type { StateStore } from '../state.ts';
import { realCgroupFs, realProcessOps, type CgroupFs, type ProcessOps } from './cgroup-fs.ts';
import type { RemoveOptions } from './cgroup-remove.ts';

export interface CgroupDeps {
  readonly state: StateStore;
  /** Canonical cgroup v2 mount point (or delegated subtree) from rootd's config. */
  readonly cgroupRoot: string;
  /** Defaults to node:fs. */
  readonly fs?: CgroupFs;
  /** Defaults to /proc and process.kill. */
  readonly proc?: ProcessOps;
  /** Defaults to process.pid. */
  readonly selfPid?: number;
  /** Operator's cgroup_attach_uids: when set, attach_pids accepts only processes running as these uids. */
  readonly attachUids?: readonly number[] | undefined;
  /** Bounded wait for a killed leaf to empty (default 5000 ms). */
  readonly removeTimeoutMs?: number;
}

export interface ResolvedCgroupDeps {
  readonly state: StateStore;
  readonly cgroupRoot: string;
  readonly fs: CgroupFs;
  readonly proc: ProcessOps;
  readonly selfPid: number;
  readonly attachUids: readonly number[] | undefined;
  readonly remove: RemoveOptions;
}

export function resolveCgroupDeps(d: CgroupDeps): ResolvedCgroupDeps {
  const selfPid = d.selfPid ?? process.pid;
  return {
    state: d.state,
    cgroupRoot: d.cgroupRoot,
    fs: d.fs ?? realCgroupFs,
    proc: d.proc ?? realProcessOps,
    selfPid,
    attachUids: d.attachUids,
    remove: { selfPid, timeoutMs: d.removeTimeoutMs ?? 5000, pollMs: 20 },
  };
}

/** Own-property lookup: app names like "constructor" must not hit Object.prototype. */
export function hasLeaf<T>(leaves: Readonly<Record<string, T>>, app: string): boolean {
  return Object.prototype.hasOwnProperty.call(leaves, app);
}
