/**
 * A test-side emulation of how uWSGI 2.0 reads an .ini vassal (magic_sub,
 * line parsing, then the "$", "@" and "%" reference passes), ported from
 * core/utils.c, core/ini.c and uwsgi_apply_config_pass. Used to check, for
 * arbitrary values, that what the renderer writes reads back unchanged; the
 * real-uWSGI tests check the emulation against the binary.
 */

interface Opt {
  key: string;
  value: string;
  configured: boolean;
}

/** "%" + any byte: "%%" -> "%", "%(" kept, anything else -> a visible marker (uWSGI: a magic var or ""). */
function magicSub(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '%' && next !== undefined) {
      out += next === '%' ? '%' : next === '(' ? '%(' : `<MAGIC:${next}>`;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

const BLANKS = new Set([' ', '\t', '\r']);
function strip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && BLANKS.has(s[a] ?? '')) a++;
  while (b > a && BLANKS.has(s[b - 1] ?? '')) b--;
  return s.slice(a, b);
}

function applyPass(opts: Opt[], symbol: string, hook: (key: string) => string | null): void {
  for (const opt of opts) {
    if (opt.configured) continue;
    let has = 0;
    let depth = 0;
    let keyAt = -1;
    for (let j = 0; j < opt.value.length; j++) {
      const c = opt.value[j];
      if (c === symbol) {
        has = 1;
      } else if (c === '(' && has === 1) {
        has = 2;
        depth = 0;
        keyAt = j + 1;
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
          if (has <= 2) {
            has = 0;
            continue;
          }
          const key = opt.value.slice(keyAt, keyAt + has - 2);
          const val = hook(key);
          if (val === null) {
            has = 0;
            continue;
          }
          opt.value = opt.value.slice(0, keyAt - 2) + val + opt.value.slice(keyAt + has - 1);
          has = 0;
          j = 0; // as in C: the loop's j++ then resumes at 1
        } else {
          has++;
        }
      } else {
        has = 0;
      }
    }
  }
}

/**
 * The options uWSGI ends up with for `text` run as `uwsgi --ini <file>`:
 * [key, value] in order, placeholders left out. `env` answers "$(NAME)";
 * "@(X)" reads as "<FILE:X>".
 */
export function emulateIni(text: string, env: Readonly<Record<string, string>>, file = 'vassal.ini'): Array<[string, string]> {
  const opts: Opt[] = [{ key: 'ini', value: file, configured: true }];
  let section = '';
  for (const raw of magicSub(text).split('\n')) {
    const line = strip(raw);
    if (line === '') continue;
    if (line.startsWith('[')) {
      section = line.slice(1, -1);
      continue;
    }
    if (line.startsWith(';') || line.startsWith('#') || section !== 'uwsgi') continue;
    const eq = line.indexOf('=');
    const key = strip(eq < 0 ? line : line.slice(0, eq));
    const value = eq < 0 ? '' : strip(line.slice(eq + 1));
    if (key === 'set-placeholder') {
      const peq = value.indexOf('=');
      opts.push({ key: value.slice(0, peq), value: value.slice(peq + 1), configured: true });
      continue;
    }
    opts.push({ key, value, configured: false });
  }
  applyPass(opts, '$', (k) => env[k] ?? null);
  applyPass(opts, '@', (k) => `<FILE:${k}>`);
  applyPass(opts, '%', (k) => opts.find((o) => o.key === k)?.value ?? null);
  return opts.filter((o) => !o.configured).map((o) => [o.key, o.value]);
}

/** The env a vassal sets, read the way uWSGI reads it. */
export function emulatedEnv(text: string, env: Readonly<Record<string, string>> = { HOME: '/root', USER: 'root' }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of emulateIni(text, env)) {
    if (key !== 'env') continue;
    const eq = value.indexOf('=');
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}
