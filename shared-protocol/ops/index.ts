/**
 * The closed op table: every rootd op, by family. Typed clients derive their
 * call signatures from it; rootd builds its dispatch table from it and refuses
 * to start if a name is registered twice or lacks a handler.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { COMMON_ERRORS, type ErrorCatalog } from '../errors.ts';
import type { OpDef } from './define.ts';
import { DAEMON_OPS } from './daemon.ts';
import { FIREWALL_ERRORS, FIREWALL_OPS } from './firewall.ts';
import { MOUNT_ERRORS, MOUNT_OPS } from './mount.ts';
import { CGROUP_ERRORS, CGROUP_OPS } from './cgroup.ts';
import { NGINX_ERRORS, NGINX_OPS } from './nginx.ts';

export const ALL_OPS = [...DAEMON_OPS, ...FIREWALL_OPS, ...MOUNT_OPS, ...CGROUP_OPS, ...NGINX_OPS] as const;

export type AnyOp = (typeof ALL_OPS)[number];
export type OpName = AnyOp['name'];
export type OpOf<N extends OpName> = Extract<AnyOp, { name: N }>;
export type OpParams<N extends OpName> = Static<OpOf<N>['params']>;
export type OpResult<N extends OpName> = Static<OpOf<N>['result']>;

/** Every error code any op may return, with meaning and hint (docs are generated from this). */
export const ROOTD_ERRORS: ErrorCatalog = {
  ...COMMON_ERRORS,
  ...FIREWALL_ERRORS,
  ...MOUNT_ERRORS,
  ...CGROUP_ERRORS,
  ...NGINX_ERRORS,
};

/** Build the name → def map, failing on a duplicate name. */
export function buildOpTable(ops: readonly OpDef<string, TSchema, TSchema>[]): ReadonlyMap<string, OpDef> {
  const table = new Map<string, OpDef>();
  for (const op of ops) {
    if (table.has(op.name)) throw new Error(`op ${op.name} registered twice`);
    for (const code of op.errors) {
      if (!(code in ROOTD_ERRORS)) throw new Error(`op ${op.name} declares unknown error code ${code}`);
    }
    table.set(op.name, op);
  }
  return table;
}
