/**
 * [env] (ADR 046 §1): a table value is dispatched by its keys — generate →
 * generated secret, from/key → reference, external_ip → host IP; any other
 * shape is an error, never a silent drop. Produces the shared EnvConfig.
 */
import type { EnvConfig, EnvValue, GenerateKind } from '../env-model.ts';
import type { Reporter } from '../diagnostics.ts';
import type { KeyPath } from '../source/position.ts';
import { didYouMean } from './did-you-mean.ts';
import { typeName } from './structural.ts';

export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const GENERATORS: readonly GenerateKind[] = ['hex', 'base64', 'urlsafe', 'password', 'uuid'];
export const APP_FACTS = ['domain', 'hostname', 'name'] as const;
const RESERVED_TABLES = new Set(['development', 'production']);

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeName(v) === 'table';
}

function unknownFields(t: Table, allowed: readonly string[], path: KeyPath, rep: Reporter, code: 'E_CONFIG_ENV_GENERATE' | 'E_CONFIG_ENV_REF'): boolean {
  let ok = true;
  for (const k of Object.keys(t)) {
    if (!allowed.includes(k)) {
      const guess = didYouMean(k, allowed);
      rep.error(code, [...path, k], `unknown field "${k}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; allowed: ${allowed.join(', ')}`);
      ok = false;
    }
  }
  return ok;
}

function truthy(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

function parseGenerate(t: Table, path: KeyPath, rep: Reporter, legacy: boolean): EnvValue | null {
  const allowed = legacy ? ['random', 'length', 'prefix', 'display'] : ['generate', 'length', 'prefix', 'display'];
  let ok = unknownFields(t, allowed, path, rep, 'E_CONFIG_ENV_GENERATE');
  let kind: GenerateKind = 'password';
  if (!legacy) {
    const g = t['generate'];
    if (typeof g !== 'string' || !(GENERATORS as readonly string[]).includes(g)) {
      const guess = typeof g === 'string' ? didYouMean(g, GENERATORS) : undefined;
      rep.error('E_CONFIG_ENV_GENERATE', [...path, 'generate'], `generate must be one of ${GENERATORS.join(', ')}, got ${JSON.stringify(g)}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`);
      ok = false;
    } else kind = g as GenerateKind;
  } else if (truthy(t['random']) !== true) {
    rep.error('E_CONFIG_ENV_GENERATE', [...path, 'random'], 'random must be true');
    ok = false;
  }
  const length = t['length'];
  if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > 4096)) {
    rep.error('E_CONFIG_ENV_GENERATE', [...path, 'length'], `length must be an integer from 1 to 4096, got ${JSON.stringify(length)}`);
    ok = false;
  }
  const prefix = t['prefix'];
  if (prefix !== undefined && typeof prefix !== 'string') {
    rep.error('E_CONFIG_ENV_GENERATE', [...path, 'prefix'], `prefix must be a string, got ${typeName(prefix)}`);
    ok = false;
  }
  const displayRaw = t['display'];
  const display = displayRaw === undefined ? false : legacy ? truthy(displayRaw) : typeof displayRaw === 'boolean' ? displayRaw : null;
  if (display === null) {
    rep.error('E_CONFIG_ENV_GENERATE', [...path, 'display'], `display must be a boolean, got ${JSON.stringify(displayRaw)}`);
    ok = false;
  }
  if (!ok) return null;
  if (legacy) rep.warn('W_CONFIG_ENV_RANDOM_DEPRECATED', path, 'the legacy { random = true } form is read as { generate = "password" }');
  return {
    kind: 'generate',
    generate: kind,
    display: display === true,
    ...(typeof length === 'number' ? { length } : {}),
    ...(typeof prefix === 'string' ? { prefix } : {}),
  };
}

function parseRef(t: Table, path: KeyPath, rep: Reporter): EnvValue | null {
  let ok = unknownFields(t, ['from', 'key'], path, rep, 'E_CONFIG_ENV_REF');
  const from = t['from'];
  const key = t['key'];
  if (from !== undefined && (typeof from !== 'string' || from === '')) {
    rep.error('E_CONFIG_ENV_REF', [...path, 'from'], 'from must be the non-empty name of an addon attached to this app');
    ok = false;
  }
  if (typeof key !== 'string' || key === '') {
    rep.error('E_CONFIG_ENV_REF', path, 'a reference needs key = "<name>" (an addon variable with from, or domain/hostname/name)');
    return null;
  }
  if (from === undefined && !(APP_FACTS as readonly string[]).includes(key)) {
    const guess = didYouMean(key, APP_FACTS);
    rep.error('E_CONFIG_ENV_REF', [...path, 'key'], `"${key}" is not an app fact (${APP_FACTS.join(', ')})${guess === undefined ? '' : ` — did you mean "${guess}"?`}; add from = "<addon>" to read an addon variable`);
    ok = false;
  }
  if (!ok) return null;
  return typeof from === 'string' ? { kind: 'ref', from, key } : { kind: 'ref', key };
}

function parseExternalIp(t: Table, path: KeyPath, rep: Reporter): EnvValue | null {
  let ok = unknownFields(t, ['external_ip', 'family'], path, rep, 'E_CONFIG_ENV_REF');
  if (t['external_ip'] !== true) {
    rep.error('E_CONFIG_ENV_REF', [...path, 'external_ip'], 'external_ip must be true');
    ok = false;
  }
  const family = t['family'] ?? 'v4';
  if (family !== 'v4' && family !== 'v6') {
    rep.error('E_CONFIG_ENV_REF', [...path, 'family'], `family must be "v4" or "v6", got ${JSON.stringify(family)}`);
    ok = false;
  }
  return ok ? { kind: 'external_ip', family: family === 'v6' ? 'v6' : 'v4' } : null;
}

/** `${...}` in a static value: kept literally by the resolver, which is rarely what was meant. */
const STATIC_INTERPOLATION_RE = /\$\{[^}]*\}/;

function parseValue(value: unknown, path: KeyPath, rep: Reporter): EnvValue | null {
  if (typeof value === 'string') {
    const m = STATIC_INTERPOLATION_RE.exec(value);
    if (m !== null) {
      const key = String(path[path.length - 1]);
      rep.warn('W_CONFIG_ENV_STATIC_INTERPOLATION', path,
        `${key} contains ${m[0]}, which a static [env] value keeps literally (it is not interpolated)`,
        `Move ${key}, with the same value, under [env.computed] to interpolate it; there, $\${...} keeps a literal "\${".`);
    }
    return { kind: 'static', value };
  }
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'static', value: String(value) };
  if (!isTable(value)) {
    rep.error('E_CONFIG_ENV_SHAPE', path, `a variable is a string, number, boolean or table, got ${typeName(value)}`);
    return null;
  }
  if ('generate' in value) return parseGenerate(value, path, rep, false);
  if ('random' in value) return parseGenerate(value, path, rep, true);
  if ('external_ip' in value) return parseExternalIp(value, path, rep);
  if ('from' in value || 'key' in value) return parseRef(value, path, rep);
  const keys = Object.keys(value).join(', ') || 'empty table';
  rep.error('E_CONFIG_ENV_SHAPE', path, `this table (${keys}) is not a generated secret, a reference or external_ip`);
  return null;
}

const COMPUTED_VAR_RE = /\$\{([^}]*)\}/g;

function checkTemplate(tpl: string, path: KeyPath, rep: Reporter): boolean {
  const withoutEscapes = tpl.replaceAll('$$', '');
  for (const m of withoutEscapes.matchAll(COMPUTED_VAR_RE)) {
    const name = m[1] ?? '';
    if (!ENV_NAME_RE.test(name)) {
      rep.error('E_CONFIG_COMPUTED_REF', path, `\${${name}} is not a valid variable reference`);
      return false;
    }
  }
  if (withoutEscapes.replace(COMPUTED_VAR_RE, '').includes('${')) {
    rep.error('E_CONFIG_COMPUTED_REF', path, 'unclosed ${ in the template');
    return false;
  }
  return true;
}

function parseComputed(value: unknown, path: KeyPath, rep: Reporter): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isTable(value)) {
    rep.error('E_CONFIG_TYPE', path, `[env.computed] must be a table of strings, got ${typeName(value)}`);
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const p = [...path, k];
    if (!ENV_NAME_RE.test(k)) rep.error('E_CONFIG_ENV_NAME', p, `"${k}" is not a valid variable name`);
    else if (typeof v !== 'string') rep.error('E_CONFIG_TYPE', p, `a computed value is a string template, got ${typeName(v)}`);
    else if (checkTemplate(v, p, rep)) out[k] = v;
  }
  return out;
}

export function validateEnv(raw: Table | undefined, rep: Reporter): EnvConfig {
  const vars: Record<string, EnvValue> = {};
  let computed: Record<string, string> = {};
  let policy: EnvConfig['policy'] = 'keep';
  const path = ['env'];
  for (const [k, v] of Object.entries(raw ?? {})) {
    const p = [...path, k];
    if (k === '_policy') {
      if (v === 'keep-existing') policy = 'keep';
      else if (v === 'override') policy = 'override';
      else rep.error('E_CONFIG_ENUM', p, `_policy must be "keep-existing" or "override", got ${JSON.stringify(v)}`);
      continue;
    }
    if (k === 'computed') {
      computed = parseComputed(v, p, rep);
      continue;
    }
    if (RESERVED_TABLES.has(k) && isTable(v)) {
      rep.warn('W_CONFIG_RESERVED', p, `[env.${k}] overrides are reserved (ADR 002) and not acted upon`);
      continue;
    }
    if (!ENV_NAME_RE.test(k)) {
      rep.error('E_CONFIG_ENV_NAME', p, `"${k}" is not a valid variable name`);
      continue;
    }
    const parsed = parseValue(v, p, rep);
    if (parsed !== null) vars[k] = parsed;
  }
  for (const k of Object.keys(computed)) {
    if (Object.hasOwn(vars, k)) rep.error('E_CONFIG_ENV_DUPLICATE', [...path, 'computed', k], `${k} is also defined in [env]`);
  }
  return { policy, vars, computed };
}
