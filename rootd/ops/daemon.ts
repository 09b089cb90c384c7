/** daemon.* handlers: handshake, describe, health. */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { ALL_OPS } from '../../shared-protocol/ops/index.ts';
import { PROTOCOL_VERSION } from '../../shared-protocol/ops/envelope.ts';
import type { HealthTracker } from '../health.ts';
import type { StateStore } from '../state.ts';
import type { FamilyHandlers } from './types.ts';

export const DAEMON_VERSION = '0.1.0';

export interface DaemonDeps {
  readonly health: HealthTracker;
  readonly state: Pick<StateStore, 'current'>;
  /** Counts of what the state holds, one per family. */
  readonly counts: () => { rules: number; mounts: number; cgroups: number; sites: number };
}

export function createDaemonHandlers(deps: DaemonDeps): FamilyHandlers<'daemon'> {
  // Deep-frozen: the dispatcher validates and serializes it once, then reuses the bytes.
  const describe = deepFreeze({
    protocol: PROTOCOL_VERSION,
    daemon_version: DAEMON_VERSION,
    ops: ALL_OPS.map((op) => ({
      name: op.name,
      summary: op.summary,
      mutates: op.mutates,
      errors: [...op.errors],
      params: op.params as unknown,
      result: op.result as unknown,
    })),
  });
  return {
    'daemon.handshake': async (params, ctx) => {
      if (params.protocol !== PROTOCOL_VERSION) {
        throw new Hop3Error('E_BAD_VERSION', `client speaks protocol ${params.protocol}, daemon speaks ${PROTOCOL_VERSION}`, {
          hint: 'Upgrade hop3-server and hop3-rootd together.',
        });
      }
      return { protocol: PROTOCOL_VERSION, daemon_version: DAEMON_VERSION, peer: { ...ctx.peer }, op_count: ALL_OPS.length };
    },
    'daemon.describe': async () => describe,
    'daemon.health': async () => ({
      uptime_s: Math.round(deps.health.uptimeSeconds() * 1000) / 1000,
      daemon_version: DAEMON_VERSION,
      state: deps.counts(),
      last_reconcile: deps.health.lastReconcile,
      recent_errors: deps.health.recentErrors,
    }),
  };
}

/** Freeze an object graph built from JSON-like values (a structured clone, so the op table itself is untouched). */
function deepFreeze<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
    for (const k of Object.keys(v)) freeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  };
  freeze(copy);
  return copy;
}
