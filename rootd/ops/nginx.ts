/** nginx.* handlers and reconcile. (Being written.) */
import type { Exec } from '../exec.ts';
import type { RootdConfig } from '../config.ts';
import type { StateStore } from '../state.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';

export interface NginxDeps {
  readonly exec: Exec;
  readonly state: StateStore;
  readonly nginx: RootdConfig['nginx'];
}

export function createNginxHandlers(_deps: NginxDeps): FamilyHandlers<'nginx'> {
  return {};
}

/** Re-assert what the state says; remove what rootd owns that the state does not. */
export async function reconcileNginx(_deps: NginxDeps): Promise<ReconcileReport> {
  return { changes: [], errors: [] };
}

export function countNginx(_deps: Pick<NginxDeps, 'state'>): number {
  return 0;
}
