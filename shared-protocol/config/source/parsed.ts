import type { PositionMap } from './position.ts';

/** What each syntax parser returns: a plain value with positions, or a syntax error. */
export type ParseResult =
  | { readonly ok: true; readonly value: unknown; readonly positions: PositionMap }
  | { readonly ok: false; readonly message: string; readonly line: number; readonly column: number };

export type ConfigFormat = 'toml' | 'yaml' | 'json';
