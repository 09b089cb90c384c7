/** Handler signatures, derived from the op table so a handler cannot drift from its schema. */
import type { OpName, OpParams, OpResult } from '../../shared-protocol/ops/index.ts';

export interface PeerInfo {
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
}

export interface OpContext {
  readonly peer: PeerInfo;
  readonly requestId: string;
}

export type Handler<N extends OpName> = (params: OpParams<N>, ctx: OpContext) => Promise<OpResult<N>>;

export type HandlerTable = { readonly [N in OpName]: Handler<N> };

/** The op names of one family, e.g. FamilyOps<'firewall'>. */
export type FamilyOps<F extends string> = Extract<OpName, `${F}.${string}`>;
export type FamilyHandlers<F extends string> = { readonly [N in FamilyOps<F>]: Handler<N> };

/** What a family's reconcile pass reports: each change as a short sentence, and errors. */
export interface ReconcileReport {
  readonly changes: string[];
  readonly errors: string[];
}
