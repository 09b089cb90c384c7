/** firewall.* handlers and reconcile. (Being written.) */
import type { Exec } from '../exec.ts';
import type { StateStore } from '../state.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';

export interface FirewallDeps {
  readonly exec: Exec;
  readonly state: StateStore;
}

export function createFirewallHandlers(_deps: FirewallDeps): FamilyHandlers<'firewall'> {
  return {};
}

/** Re-assert what the state says; remove what rootd owns that the state does not. */
export async function reconcileFirewall(_deps: FirewallDeps): Promise<ReconcileReport> {
  return { changes: [], errors: [] };
}

export function countFirewall(_deps: Pick<FirewallDeps, 'state'>): number {
  return 0;
}
