/**
 * [env.computed] interpolation (ADR 046 §1c step 6).
 *
 * Syntax, applied once (the result is never re-scanned):
 *   ${NAME}  the value of NAME, NAME = [A-Za-z_][A-Za-z0-9_]*
 *   $$       a literal "$" (so "$${X}" is the literal text "${X}")
 *   $ followed by anything else is a literal "$" ("$PORT" stays "$PORT")
 *   "${" not forming ${NAME} is E_ENV_COMPUTED_SYNTAX.
 * NAME is looked up first among the computed keys (so computed values may
 * reference each other), then in the merged env. An unknown NAME is
 * E_ENV_COMPUTED_UNKNOWN_VAR, a cycle is E_ENV_COMPUTED_CYCLE. The result
 * depends only on the two maps' contents, never on key order.
 */
import { Hop3Error } from '../errors.ts';
import { ENV_ERRORS } from './resolve-env-errors.ts';

type Part = { readonly lit: string } | { readonly ref: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseTemplate(key: string, template: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    const next = template[i + 1];
    if (ch === '$' && next === '$') {
      lit += '$';
      i += 2;
    } else if (ch === '$' && next === '{') {
      const end = template.indexOf('}', i + 2);
      const name = end < 0 ? '' : template.slice(i + 2, end);
      if (!NAME.test(name)) {
        throw new Hop3Error('E_ENV_COMPUTED_SYNTAX', `[env.computed].${key}: malformed reference at offset ${i}.`, {
          hint: ENV_ERRORS.E_ENV_COMPUTED_SYNTAX.hint,
          details: { key, offset: i },
        });
      }
      if (lit !== '') parts.push({ lit });
      lit = '';
      parts.push({ ref: name });
      i = end + 1;
    } else {
      lit += ch;
      i += 1;
    }
  }
  if (lit !== '') parts.push({ lit });
  return parts;
}

/** Names referenced by a template, in order of first appearance. */
export function templateRefs(key: string, template: string): string[] {
  const seen = new Set<string>();
  for (const p of parseTemplate(key, template)) if ('ref' in p) seen.add(p.ref);
  return [...seen];
}

function closest(name: string, candidates: Iterable<string>): string | undefined {
  const upper = name.toUpperCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(upper, c.toUpperCase());
    if (d < bestScore || (d === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Evaluates every computed template against `env` (which must not yet hold
 * the computed results). Returns the computed values only.
 */
export function interpolateComputed(
  computed: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const parsed = new Map<string, Part[]>();
  for (const [k, t] of Object.entries(computed)) parsed.set(k, parseTemplate(k, t));
  const done = new Map<string, string>();
  const stack: string[] = [];

  const evaluate = (key: string): string => {
    const cached = done.get(key);
    if (cached !== undefined) return cached;
    const at = stack.indexOf(key);
    if (at >= 0) {
      const cycle = [...stack.slice(at), key];
      throw new Hop3Error('E_ENV_COMPUTED_CYCLE', `[env.computed] cycle: ${cycle.join(' -> ')}.`, {
        hint: ENV_ERRORS.E_ENV_COMPUTED_CYCLE.hint,
        details: { cycle },
      });
    }
    stack.push(key);
    let out = '';
    for (const part of parsed.get(key) ?? []) {
      if ('lit' in part) {
        out += part.lit;
      } else if (parsed.has(part.ref)) {
        out += evaluate(part.ref);
      } else if (Object.hasOwn(env, part.ref)) {
        out += env[part.ref] ?? '';
      } else {
        const known = [...Object.keys(env), ...parsed.keys()];
        const suggestion = closest(part.ref, known);
        throw new Hop3Error('E_ENV_COMPUTED_UNKNOWN_VAR', `[env.computed].${key}: \${${part.ref}} is not defined.`
          + (suggestion ? ` Did you mean \${${suggestion}}?` : ''), {
          hint: ENV_ERRORS.E_ENV_COMPUTED_UNKNOWN_VAR.hint,
          details: { key, variable: part.ref, ...(suggestion ? { suggestion } : {}) },
        });
      }
    }
    stack.pop();
    done.set(key, out);
    return out;
  };

  // Object.fromEntries defines own properties, so a key like "__proto__" is data, not a setter.
  return Object.fromEntries([...parsed.keys()].sort().map((key) => [key, evaluate(key)]));
}
