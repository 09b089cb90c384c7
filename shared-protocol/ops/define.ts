/**
 * How an op is declared: name, summary, params schema, result schema, the
 * error codes it may return, and whether it mutates host state. The registry
 * (index.ts) is the closed table built from these declarations.
 */
import type { Static, TSchema } from '@sinclair/typebox';

export interface OpDef<N extends string = string, P extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly name: N;
  readonly summary: string;
  readonly params: P;
  readonly result: R;
  /** Op-specific error codes (common wire/dispatch codes are implied for every op). */
  readonly errors: readonly `E_${string}`[];
  /** True when the op changes host state; mutating ops are durably logged before the reply. */
  readonly mutates: boolean;
}

export function defineOp<const N extends string, P extends TSchema, R extends TSchema>(
  def: OpDef<N, P, R>,
): OpDef<N, P, R> {
  return def;
}

export type ParamsOf<D> = D extends OpDef<string, infer P, TSchema> ? Static<P> : never;
export type ResultOf<D> = D extends OpDef<string, TSchema, infer R> ? Static<R> : never;
