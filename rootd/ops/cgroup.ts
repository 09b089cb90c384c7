/** cgroup.* handlers and reconcile. (Being written.) */

import type { StateStore } from '../state.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';

export interface CgroupDeps {
  readonly state: StateStore;
  readonly cgroupRoot: string;
}

export function createCgroupHandlers(_deps: CgroupDeps): FamilyHandlers<'cgroup'> {
  return {};
}

/** Re-assert what the state says; remove what rootd owns that the state does not. */
export async function reconcileCgroup(_deps: CgroupDeps): Promise<ReconcileReport> {
  return { changes: [], errors: [] };
}

export function countCgroup(_deps: Pick<CgroupDeps, 'state'>): number {
  return 0;
}
