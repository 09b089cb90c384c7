/**
 * The structural validator: walks a raw value against the TypeBox schema of
 * the format and reports unknown keys (with did-you-mean), wrong types, enum,
 * range and pattern failures, missing required fields, removed and reserved
 * keys. It returns a copy with "_" key aliases renamed to their dashed form.
 *
 * It understands the subset of JSON Schema the config schemas use, plus
 * annotations: x-reserved (accepted, warned), x-removed (an error code),
 * x-code / x-format (code and wording for a pattern failure), x-alias: false.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Reporter } from '../diagnostics.ts';
import type { ConfigCode } from '../errors.ts';
import type { KeyPath } from '../source/position.ts';
import { didYouMean } from './did-you-mean.ts';

export const INVALID: unique symbol = Symbol('invalid');
export type Checked = unknown | typeof INVALID;

interface SchemaView {
  type?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  patternProperties?: Record<string, TSchema>;
  anyOf?: TSchema[];
  items?: TSchema;
  enum?: readonly unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  'x-reserved'?: string;
  'x-removed'?: ConfigCode;
  'x-code'?: ConfigCode;
  'x-format'?: string;
  'x-key-format'?: string;
  'x-key-code'?: ConfigCode;
  'x-alias'?: boolean;
  'x-custom'?: boolean;
}

function view(s: TSchema): SchemaView {
  return s as unknown as SchemaView;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date-time';
  if (typeof v === 'object') return 'table';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  return typeof v;
}

function schemaTypeName(s: SchemaView): string {
  if (s.enum !== undefined) return 'string';
  if (s.type === 'object') return 'table';
  if (s.type === 'number') return 'number';
  return s.type ?? 'value';
}

function fitsType(s: SchemaView, v: unknown): boolean {
  switch (s.type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeName(v) === 'table';
    default:
      return true;
  }
}

const patternCache = new Map<string, RegExp>();
function regex(p: string): RegExp {
  let r = patternCache.get(p);
  if (r === undefined) {
    r = new RegExp(p, 'u');
    patternCache.set(p, r);
  }
  return r;
}

export function checkShape(schema: TSchema, value: unknown, path: KeyPath, rep: Reporter): Checked {
  const s = view(schema);
  if (s['x-custom'] === true) return value;
  if (s.anyOf !== undefined) return checkUnion(s.anyOf, value, path, rep);
  if (s.type === undefined && s.enum === undefined) return value;
  if (!fitsType(s, value)) {
    const expected = schemaTypeName(s);
    rep.error('E_CONFIG_TYPE', path, `expected ${expected === 'integer' ? 'an integer' : `a ${expected}`}, got ${typeName(value)}`);
    return INVALID;
  }
  if (s.type === 'object') return checkObject(s, value as Record<string, unknown>, path, rep);
  if (s.type === 'array') return checkArray(s, value as unknown[], path, rep);
  return checkScalar(s, value, path, rep);
}

function checkScalar(s: SchemaView, value: unknown, path: KeyPath, rep: Reporter): Checked {
  if (s.enum !== undefined && !s.enum.includes(value)) {
    const allowed = s.enum.map((e) => JSON.stringify(e)).join(', ');
    const guess = typeof value === 'string' ? didYouMean(value, s.enum.map(String)) : undefined;
    const dym = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
    rep.error('E_CONFIG_ENUM', path, `${JSON.stringify(value)} is not one of ${allowed}${dym}`);
    return INVALID;
  }
  if (typeof value === 'number') {
    const tooLow =
      (s.minimum !== undefined && value < s.minimum) ||
      (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum);
    const tooHigh = s.maximum !== undefined && value > s.maximum;
    if (tooLow || tooHigh) {
      const lo = s.minimum !== undefined ? `>= ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : '';
      const hi = s.maximum !== undefined ? `<= ${s.maximum}` : '';
      rep.error('E_CONFIG_RANGE', path, `${value} is out of range (must be ${[lo, hi].filter((x) => x !== '').join(' and ')})`);
      return INVALID;
    }
  }
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) {
      rep.error(s['x-code'] ?? 'E_CONFIG_FORMAT', path, 'must not be empty');
      return INVALID;
    }
    if (s.pattern !== undefined && !regex(s.pattern).test(value)) {
      const what = s['x-format'] ?? `must match ${s.pattern}`;
      rep.error(s['x-code'] ?? 'E_CONFIG_FORMAT', path, `${JSON.stringify(value)}: ${what}`);
      return INVALID;
    }
  }
  return value;
}

function checkUnion(members: TSchema[], value: unknown, path: KeyPath, rep: Reporter): Checked {
  for (const m of members) {
    if (fitsType(view(m), value)) return checkShape(m, value, path, rep);
  }
  const names = [...new Set(members.map((m) => schemaTypeName(view(m))))];
  rep.error('E_CONFIG_TYPE', path, `expected ${names.join(' or ')}, got ${typeName(value)}`);
  return INVALID;
}

function checkArray(s: SchemaView, value: unknown[], path: KeyPath, rep: Reporter): Checked {
  if (s.minItems !== undefined && value.length < s.minItems) {
    rep.error('E_CONFIG_REQUIRED', path, `needs at least ${s.minItems} entr${s.minItems === 1 ? 'y' : 'ies'}`);
    return INVALID;
  }
  if (s.items === undefined) return value;
  let ok = true;
  const out = value.map((item, i) => {
    const r = checkShape(s.items as TSchema, item, [...path, i], rep);
    if (r === INVALID) ok = false;
    return r;
  });
  return ok ? out : INVALID;
}

function checkObject(s: SchemaView, value: Record<string, unknown>, path: KeyPath, rep: Reporter): Checked {
  if (s.patternProperties !== undefined) return checkRecord(s, value, path, rep);
  const { out, ok } = checkTable(s as unknown as TSchema, value, path, rep);
  return ok ? out : INVALID;
}

/**
 * Check a table key by key. `out` holds only the keys that passed (renamed
 * from their "_" alias), so a caller can keep validating the valid parts.
 */
export function checkTable(
  schema: TSchema,
  value: Record<string, unknown>,
  path: KeyPath,
  rep: Reporter,
): { out: Record<string, unknown>; ok: boolean } {
  const s = view(schema);
  const props = s.properties ?? {};
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [rawKey, v] of Object.entries(value)) {
    let key = rawKey;
    let prop = props[key];
    if (prop === undefined && key.includes('_') && s['x-alias'] !== false) {
      const dashed = key.replaceAll('_', '-');
      if (props[dashed] !== undefined) {
        if (Object.hasOwn(value, dashed)) {
          rep.error('E_CONFIG_DUPLICATE_KEY', [...path, rawKey], `"${rawKey}" and "${dashed}" are the same key`);
          ok = false;
          continue;
        }
        rep.warn('W_CONFIG_KEY_ALIAS', [...path, rawKey], `"${rawKey}" is read as "${dashed}"`);
        key = dashed;
        prop = props[dashed];
      }
    }
    const p = [...path, rawKey];
    if (prop === undefined) {
      reportUnknown(rawKey, Object.keys(props).filter((k) => view(props[k] as TSchema)['x-removed'] === undefined), p, rep);
      ok = false;
      continue;
    }
    const pv = view(prop);
    if (pv['x-removed'] !== undefined) {
      rep.error(pv['x-removed'], p, `"${rawKey}" is no longer supported`);
      ok = false;
      continue;
    }
    if (pv['x-reserved'] !== undefined) {
      rep.warn('W_CONFIG_RESERVED', p, `"${key}" is reserved (${pv['x-reserved']}) and not acted upon`);
      out[key] = v;
      continue;
    }
    const r = checkShape(prop, v, p, rep);
    if (r === INVALID) ok = false;
    else out[key] = r;
  }
  for (const req of s.required ?? []) {
    if (!Object.hasOwn(out, req) && !Object.hasOwn(value, req) && !Object.hasOwn(value, req.replaceAll('-', '_'))) {
      rep.error('E_CONFIG_REQUIRED', path, `missing required field "${req}"`);
      ok = false;
    }
  }
  return { out, ok };
}

function checkRecord(s: SchemaView, value: Record<string, unknown>, path: KeyPath, rep: Reporter): Checked {
  const [pattern, itemSchema] = Object.entries(s.patternProperties ?? {})[0] ?? ['', undefined];
  const keyRe = regex(pattern);
  const out: Record<string, unknown> = {};
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    const p = [...path, k];
    if (!keyRe.test(k)) {
      rep.error(s['x-key-code'] ?? 'E_CONFIG_FORMAT', p, `key "${k}": ${s['x-key-format'] ?? `must match ${pattern}`}`);
      ok = false;
      continue;
    }
    const r = itemSchema === undefined ? v : checkShape(itemSchema, v, p, rep);
    if (r === INVALID) ok = false;
    else out[k] = r;
  }
  return ok ? out : INVALID;
}

function reportUnknown(key: string, known: string[], path: KeyPath, rep: Reporter): void {
  const guess = didYouMean(key, known);
  const where = path.length <= 1 ? 'section' : 'key';
  const msg = `unknown ${where} "${key}"` + (guess === undefined ? '' : ` (did you mean "${guess}"?)`);
  const hint =
    known.length === 0
      ? undefined
      : `Known ${where === 'section' ? 'sections' : 'keys here'}: ${known.filter((k) => !k.startsWith('x-')).join(', ')}.`;
  rep.error('E_CONFIG_UNKNOWN_KEY', path, msg, hint);
}
