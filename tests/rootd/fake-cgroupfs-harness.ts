/** Test harness: a state file + a fake cgroupfs tree + the cgroup handlers wired to them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CgroupFs } from '../../rootd/ops/cgroup-fs.ts';
import { createCgroupHandlers, type CgroupDeps } from '../../rootd/ops/cgroup.ts';
import type { FamilyHandlers } from '../../rootd/ops/types.ts';
import { initStateFile, StateStore } from '../../rootd/state.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { makeFakeCgroupTree, type FakeCgroupTree, type FakeTreeOptions } from './fake-cgroupfs.ts';

export { ignoringWrites, pidAlive } from './fake-cgroupfs.ts';

/** A state file + a fake tree + the cgroup handlers wired to them. */
export interface CgroupHarness {
  readonly tree: FakeCgroupTree;
  readonly state: StateStore;
  readonly deps: CgroupDeps;
  readonly h: FamilyHandlers<'cgroup'>;
  cleanup(): void;
}

export const CTX = { peer: { uid: 0, gid: 0, pid: 1 }, requestId: 't' } as const;

export function makeCgroupHarness(
  opts: FakeTreeOptions & { fs?: (fs: CgroupFs) => CgroupFs; deps?: Partial<CgroupDeps> } = {},
): CgroupHarness {
  const tree = makeFakeCgroupTree(opts);
  const dir = mkdtempSync(join(tmpdir(), 'hop3-cgstate-'));
  const statePath = join(dir, 'state.json');
  initStateFile(statePath);
  const state = StateStore.open(statePath);
  const deps: CgroupDeps = {
    state,
    cgroupRoot: tree.root,
    fs: opts.fs ? opts.fs(tree.fs) : tree.fs,
    removeTimeoutMs: 2000,
    ...opts.deps,
  };
  return {
    tree,
    state,
    deps,
    h: createCgroupHandlers(deps),
    cleanup() {
      tree.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run `fn`, expecting a Hop3Error with `code`; returns it. */
export async function rejectsWith(fn: () => Promise<unknown>, code: string): Promise<Hop3Error> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof Hop3Error && e.code === code) return e;
    throw new Error(`expected ${code}, got ${e instanceof Hop3Error ? `${e.code}: ${e.message}` : String(e)}`);
  }
  throw new Error(`expected ${code}, but it succeeded`);
}
