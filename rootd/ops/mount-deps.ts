/** What mount.* handlers and reconcile need, and the family lock they share. */
import type { Exec } from '../exec.ts';
import type { StateStore } from '../state.ts';
import { readProcMountinfo, type MountKernel } from './mount-kernel.ts';

export interface MountDeps {
  readonly exec: Exec;
  readonly state: StateStore;
  /** Canonical (realpath'd) APP_ROOT from rootd's config. */
  readonly appRoot: string;
  readonly bindAllowlist: readonly string[];
  /** Defaults to reading /proc/self/mountinfo; unit tests pass a fixture. */
  readonly readMountinfo?: () => Promise<string>;
  /** Test seam only (see MountKernel.afterPin). */
  readonly afterPin?: (path: string) => Promise<void>;
}

export function kernelOf(deps: MountDeps): MountKernel {
  return {
    exec: deps.exec,
    appRoot: deps.appRoot,
    readMountinfo: deps.readMountinfo ?? readProcMountinfo,
    ...(deps.afterPin ? { afterPin: deps.afterPin } : {}),
  };
}

/** One mount change at a time per state store (handlers and reconcile share it). */
const locks = new WeakMap<StateStore, Promise<unknown>>();
export function withMountLock<T>(state: StateStore, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(state) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  locks.set(state, run.catch(() => undefined));
  return run;
}

