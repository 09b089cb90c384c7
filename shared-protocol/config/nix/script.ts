/**
 * The startup wrapper (`$out/bin/hop3-start`), as Nix string segments.
 *
 * Shell semantics of [nix] values, in the order the script runs them:
 *   local-vars, env-exports, conditional-env values and exec-args are shell
 *     double-quoted words: $VAR, ${VAR:-default} and $(cmd) expand at startup;
 *     `"`, `\` and backquote are literal.
 *   pre-exec entries are shell command lines, run as written.
 *   config-files contents are unquoted here-documents: they expand like the
 *     values above; write \$ for a literal "$".
 *   extra-paths are literal paths; "${name}" names a package of the template.
 * The script runs with `set -e` in the app working directory.
 */
import type { Seg } from './escape.ts';
import { shDoubleExpanding, shDoubleLiteral, shSingle } from './escape.ts';
import type { NixConfigFileInput } from './types.ts';
import type { ValidNixInput } from './validate.ts';

export type Line = readonly Seg[];

/** A double-quoted, non-expanding shell word made of literal text and store paths. */
export function shWordSegs(segs: readonly Seg[]): Seg[] {
  const out: Seg[] = ['"'];
  for (const s of segs) out.push(typeof s === 'string' ? shDoubleLiteral(s).slice(1, -1) : s);
  out.push('"');
  return out;
}

function heredocDelimiter(content: string): string {
  const lines = new Set(content.split('\n'));
  let d = 'HOP3_EOF';
  for (let i = 1; lines.has(d); i++) d = `HOP3_EOF_${i}`;
  return d;
}

function configFileLines(f: NixConfigFileInput): Line[] {
  const path = f.path.replace(/\/$/, '');
  const content = f.format === 'ini'
    ? Object.entries(f.sections ?? {})
      .map(([name, entries]) => [`[${name}]`, ...Object.entries(entries).map(([k, v]) => `${k} = ${v}`)].join('\n'))
      .join('\n\n')
    : (f['raw-content'] ?? '').replace(/\n$/, '');
  const delim = heredocDelimiter(content);
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : undefined;
  const body: Line[] = [
    ...(dir ? [[`mkdir -p ${shSingle(dir)}`]] : []),
    [`cat > ${shSingle(path)} <<${delim}`],
    [content],
    [delim],
  ];
  if (!f['create-if-missing']) return body;
  return [[`if [ ! -e ${shSingle(path)} ]; then`], ...body, ['fi']];
}

export interface ScriptPlan {
  readonly path: readonly (readonly Seg[])[];
  readonly prepare: readonly Line[];
  readonly exec: Line;
}

export function execArgs(input: ValidNixInput): string {
  return (input['exec-args'] ?? []).map((a) => ` ${shDoubleExpanding(a)}`).join('');
}

export function renderScript(input: ValidNixInput, plan: ScriptPlan): Seg[] {
  const lines: Line[] = [[`# hop3-start for ${input.app.name}: generated from [nix] template ${input.template}.`], ['set -e']];
  if (plan.path.length > 0) {
    const joined: Seg[] = [];
    plan.path.forEach((p, i) => joined.push(...(i > 0 ? [':'] : []), ...p));
    lines.push(['export PATH=', ...shWordSegs(joined).slice(0, -1), ':$PATH"']);
  }
  const section = (title: string, body: Line[]): void => {
    if (body.length > 0) lines.push([''], [`# ${title}`], ...body);
  };
  section('[nix.local-vars]', Object.entries(input['local-vars'] ?? {}).map(([k, v]) => [`${k}=${shDoubleExpanding(v)}`]));
  section('[nix.env-exports]', Object.entries(input['env-exports'] ?? {}).map(([k, v]) => [`export ${k}=${shDoubleExpanding(v)}`]));
  section('[[nix.conditional-env]]', (input['conditional-env'] ?? []).map((c) =>
    [`if [ -z "\${${c['condition-var'] ?? c.name}:-}" ]; then export ${c.name}=${shDoubleExpanding(c.value)}; fi`]));
  section('[nix].pre-exec', (input['pre-exec'] ?? []).map((cmd) => [cmd]));
  section('[[nix.config-files]]', (input['config-files'] ?? []).flatMap(configFileLines));
  section(`template ${input.template}`, [...plan.prepare]);
  lines.push([''], plan.exec);
  const out: Seg[] = [];
  for (const l of lines) out.push(...l, '\n');
  return out;
}
