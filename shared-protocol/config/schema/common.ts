/** Building blocks shared by the section schemas. */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { ConfigCode } from '../errors.ts';

/** A string restricted to a closed set (validated with did-you-mean). */
export function StringEnum<const T extends readonly string[]>(values: T, description?: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description === undefined ? {} : { description }) });
}

/** A command: a string, or an array of strings run joined with " && ". */
export const Command = Type.Union([Type.String(), Type.Array(Type.String())], {
  description: 'string | array of strings (joined with " && ")',
});

export const StringList = Type.Array(Type.String());

/** A field from ADR 002's reserved list: accepted, reported as not acted upon. */
export function Reserved(why: string): TSchema {
  return Type.Unknown({ 'x-reserved': why, description: `reserved (${why})` });
}

/** A field that was removed: always an error with its own code. */
export function Removed(code: ConfigCode): TSchema {
  return Type.Unknown({ 'x-removed': code, description: 'removed' });
}

/** A size: a positive number with an optional K/M/G suffix, or plain bytes. */
export const Size = Type.Union([Type.String(), Type.Integer({ minimum: 1 })], {
  description: 'K/M/G size ("512M") or bytes',
});

export const PortNumber = Type.Integer({ minimum: 1, maximum: 65535 });

/** An app, addon or metadata id: lowercase letters, digits and dashes. */
export const Identifier = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
  'x-format': 'use 1-63 lowercase letters, digits and dashes, starting with a letter or digit',
});

/** A strict table: unknown keys are errors. */
export function Table<T extends Parameters<typeof Type.Object>[0]>(props: T, description?: string) {
  return Type.Object(props, { additionalProperties: false, ...(description === undefined ? {} : { description }) });
}

/** A free-form table of string values (nix local-vars, env-exports, ...). */
export const StringMap = Type.Record(Type.String(), Type.String());

/** Retention: days as a shorthand integer, or a table with days and/or keep-last. */
export const Retention = Type.Union([
  Type.Integer({ minimum: 1 }),
  Table({
    days: Type.Optional(Type.Integer({ minimum: 1 })),
    'keep-last': Type.Optional(Type.Integer({ minimum: 1 })),
  }),
]);
