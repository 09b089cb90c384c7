/**
 * Schema checks at the HTTP edge, with TypeBox compiled checkers (no
 * coercion). The first error becomes a Hop3Error whose code is the schema's
 * `x-error-code` when it has one (e.g. E_INVALID_APP_NAME), else the
 * generic code for where the value came from.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { ERROR_CODE_KEY } from '../../shared-protocol/api/common.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export type Where = 'body' | 'query' | 'path';
const DEFAULT_CODE: Record<Where, `E_${string}`> = { body: 'E_INVALID_BODY', query: 'E_INVALID_QUERY', path: 'E_INVALID_QUERY' };

export interface Validator<T> {
  check(value: unknown, where: Where): T;
}

function codeOf(err: ValueError, where: Where): `E_${string}` {
  // A missing field is a shape problem of the body, not a bad value of that field.
  if (err.type === ValueErrorType.ObjectRequiredProperty) return DEFAULT_CODE[where];
  const own = (err.schema as Record<string, unknown>)[ERROR_CODE_KEY];
  return typeof own === 'string' && own.startsWith('E_') ? (own as `E_${string}`) : DEFAULT_CODE[where];
}

function describe(err: ValueError, where: Where): string {
  const at = err.path === '' ? where : `${where}${err.path.replaceAll('/', '.')}`;
  if (err.type === ValueErrorType.ObjectAdditionalProperties) return `${at}: unknown field`;
  const shown = typeof err.value === 'string' ? `: ${JSON.stringify(err.value.length > 80 ? `${err.value.slice(0, 80)}…` : err.value)}` : '';
  return `${at}: ${err.message}${shown}`;
}

/** Prefer the most specific error: one that carries its own code. */
function pick(errors: Iterable<ValueError>): ValueError | undefined {
  let first: ValueError | undefined;
  for (const e of errors) {
    first ??= e;
    if (e.value !== undefined && typeof (e.schema as Record<string, unknown>)[ERROR_CODE_KEY] === 'string') return e;
  }
  return first;
}

export function compile<T>(schema: TSchema): Validator<T> {
  const checker: TypeCheck<TSchema> = TypeCompiler.Compile(schema);
  return {
    check(value, where) {
      if (checker.Check(value)) return value as T;
      const err = pick(checker.Errors(value));
      if (err === undefined) throw new Hop3Error(DEFAULT_CODE[where], `${where} is not valid`);
      throw new Hop3Error(codeOf(err, where), describe(err, where));
    },
  };
}
