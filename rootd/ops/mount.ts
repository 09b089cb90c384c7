/** mount.* handlers and reconcile. (Being written.) */
import type { Exec } from '../exec.ts';
import type { StateStore } from '../state.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';

export interface MountDeps {
  readonly exec: Exec;
  readonly state: StateStore;
  readonly appRoot: string;
  readonly bindAllowlist: readonly string[];
}

export function createMountHandlers(_deps: MountDeps): FamilyHandlers<'mount'> {
  return {};
}

/** Re-assert what the state says; remove what rootd owns that the state does not. */
export async function reconcileMount(_deps: MountDeps): Promise<ReconcileReport> {
  return { changes: [], errors: [] };
}

export function countMount(_deps: Pick<MountDeps, 'state'>): number {
  return 0;
}
