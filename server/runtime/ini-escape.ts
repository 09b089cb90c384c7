/**
 * Writing arbitrary strings into a uWSGI .ini value without changing them.
 *
 * How uWSGI 2.0 reads a vassal (core/ini.c, core/utils.c, core/uwsgi.c):
 *  1. magic_sub() on the whole file: "%" followed by ANY byte is replaced by
 *     that byte's magic value ("" when unknown, "%%" -> "%", "%(" kept);
 *  2. lines split on "\n"; leading/trailing " ", "\t", "\r" of a value stripped;
 *  3. then three passes over every value, in this order:
 *     "$(NAME)" -> getenv(NAME), "@(PATH)" -> file content (PATH may be
 *     exec://cmd: it runs a command!), "%(KEY)" -> another option's value.
 *     An unresolved reference stays literally.
 *
 * So: "%" is doubled; "$(" and "@(" become "%(hop3_dollar)(" and
 * "%(hop3_at)(" (placeholders resolved in the last pass, after the "$" and
 * "@" passes ran); trailing blanks are protected by an empty placeholder.
 * Newline, CR and NUL cannot be represented. A "%(KEY)" whose KEY names an
 * option the vassal defines would be replaced, so such a value is refused.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';

export const PH_DOLLAR = 'hop3_dollar';
export const PH_AT = 'hop3_at';
export const PH_BLANK = 'hop3_blank';

/** Lines every vassal carries so that escaped values can use the placeholders. */
export const PLACEHOLDER_LINES: readonly string[] = [
  `set-placeholder = ${PH_DOLLAR}=$`,
  `set-placeholder = ${PH_AT}=@`,
  `set-placeholder = ${PH_BLANK}=`,
];

/**
 * Every option key a hop3 vassal may define, plus "ini" (the emperor starts a
 * vassal as `uwsgi --ini <file>`) and the placeholders: a "%(KEY)" naming one
 * of them would resolve. Kept as one superset so the rule does not depend on
 * which optional lines a given vassal has.
 */
export const DEFINED_KEYS: ReadonlySet<string> = new Set([
  'ini', PH_DOLLAR, PH_AT, PH_BLANK, 'set-placeholder', 'strict', 'master', 'procname-master', 'pidfile',
  'chdir', 'uid', 'gid', 'env', 'attach-daemon2', 'reload-mercy', 'die-on-term', 'vacuum', 'logto',
  'log-master', 'log-master-stream', 'log-maxsize', 'log-backupname', 'umask',
]);

/**
 * The keys uWSGI's reference pass looks up in `s` for `symbol`, when no lookup
 * succeeds (a faithful port of uwsgi_apply_config_pass's scanner).
 */
export function referencedKeys(s: string, symbol: string): string[] {
  const keys: string[] = [];
  let has = 0;
  let depth = 0;
  let start = -1;
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (c === symbol) {
      has = 1;
    } else if (c === '(' && has === 1) {
      has = 2;
      depth = 0;
      start = j + 1;
    } else if (has > 1) {
      if (c === '(') {
        has++;
        depth++;
      } else if (c === ')') {
        if (depth > 0) {
          has++;
          depth--;
          continue;
        }
        if (has > 2) keys.push(s.slice(start, j));
        has = 0;
      } else {
        has++;
      }
    } else {
      has = 0;
    }
  }
  return keys;
}

/** Why `value` cannot be written into a vassal, or null when it can. */
export function unrepresentableReason(value: string): string | null {
  if (value.includes('\n')) return 'contains a newline';
  if (value.includes('\r')) return 'contains a carriage return';
  if (value.includes('\0')) return 'contains a NUL byte';
  for (const key of referencedKeys(value, '%')) {
    if (DEFINED_KEYS.has(key)) return `contains "%(${key})", which uWSGI would replace by an option value`;
  }
  return null;
}

/**
 * The text to write after `<option> = ` so that uWSGI reads back exactly
 * `value` (which must not start with a blank: callers always prefix a key).
 * Throws E_RUNTIME_UNREPRESENTABLE naming `what` (never the value: it may be a secret).
 */
export function iniValue(value: string, what: string): string {
  const reason = unrepresentableReason(value);
  if (reason !== null) {
    throw new Hop3Error('E_RUNTIME_UNREPRESENTABLE', `${what} cannot be written into a uWSGI vassal: it ${reason}`);
  }
  let out = value.replaceAll('%', '%%').replaceAll('$(', `%(${PH_DOLLAR})(`).replaceAll('@(', `%(${PH_AT})(`);
  if (/[ \t]$/.test(value)) out += `%(${PH_BLANK})`;
  return out;
}

/** Escapes a value inside a uWSGI keyval list (attach-daemon2): "\" and "," get a backslash. */
export function kvlistValue(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll(',', '\\,');
}
