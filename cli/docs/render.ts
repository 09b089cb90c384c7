/**
 * The generated parts of docs/cli.md: the command reference (from the citty
 * definitions in cli/tree.ts) and the exit-code table (from cli/exit-codes.ts).
 * `npm run docs:cli` rewrites them; tests/cli/docs.test.ts checks they are fresh.
 */
import type { ArgDef, CommandDef, CommandMeta } from 'citty';
import { argsOf, subCommandsOf } from '../dispatch.ts';
import { EXIT, EXIT_DOCS } from '../exit-codes.ts';

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function metaOf(cmd: CommandDef): CommandMeta {
  return (typeof cmd.meta === 'object' && cmd.meta !== null && !(cmd.meta instanceof Promise) ? cmd.meta : {}) as CommandMeta;
}

function aliasList(def: ArgDef): string[] {
  const a = 'alias' in def ? def.alias : undefined;
  return a === undefined ? [] : Array.isArray(a) ? a : [a];
}

function hint(name: string, def: ArgDef): string {
  return 'valueHint' in def && def.valueHint !== undefined ? def.valueHint : name;
}

function usageLine(path: readonly string[], cmd: CommandDef): string {
  const parts = ['hop3', ...path];
  const subs = Object.keys(subCommandsOf(cmd));
  if (subs.length > 0) parts.push(cmd.run === undefined ? `<${subs.join('|')}>` : `[${subs.join('|')}]`);
  for (const [name, def] of Object.entries(argsOf(cmd))) {
    if (def.type !== 'positional') continue;
    const h = hint(name, def).toUpperCase();
    const many = /s$/.test(name) || h.endsWith('...');
    const word = `${h.replace(/\.\.\.$/, '')}${many ? '...' : ''}`;
    parts.push(def.required === true ? word : `[${word}]`);
  }
  if (Object.values(argsOf(cmd)).some((d) => d.type !== 'positional')) parts.push('[options]');
  // hop3 run's command goes after "--" (its positional only documents that).
  if (path.length === 1 && path[0] === 'run') return 'hop3 run [options] -- CMD [ARG...]';
  return parts.join(' ');
}

function optionRows(cmd: CommandDef): string[][] {
  const rows: string[][] = [];
  for (const [name, def] of Object.entries(argsOf(cmd))) {
    if (def.type === 'positional') continue;
    const flags = [`--${name}`, ...aliasList(def).map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
    const value = def.type === 'string' ? `<${hint(name, def)}>` : def.type === 'enum' ? `<${(def.options ?? []).join('|')}>` : '';
    const dflt = def.default === undefined || def.default === false ? '' : String(def.default);
    const required = def.required === true ? ' (required)' : '';
    rows.push([`\`${flags.join('`, `')}\`${value === '' ? '' : ` \`${value}\``}`, `${def.description ?? ''}${required}`, dflt]);
  }
  return rows;
}

function positionalRows(cmd: CommandDef): string[][] {
  return Object.entries(argsOf(cmd))
    .filter(([, d]) => d.type === 'positional')
    .map(([name, d]) => [`\`${hint(name, d).toUpperCase()}\``, d.description ?? '', d.default === undefined ? '' : String(d.default)]);
}

function section(path: readonly string[], cmd: CommandDef, out: string[]): void {
  if (path.length > 0 && metaOf(cmd).hidden !== true) {
    out.push(`### hop3 ${path.join(' ')}`, '', metaOf(cmd).description ?? '', '', '```', usageLine(path, cmd), '```', '');
    const pos = positionalRows(cmd);
    if (pos.length > 0) out.push(table(['argument', 'meaning', 'default'], pos), '');
    const opts = optionRows(cmd);
    if (opts.length > 0) out.push(table(['option', 'meaning', 'default'], opts), '');
  }
  for (const [name, sub] of Object.entries(subCommandsOf(cmd))) section([...path, name], sub, out);
}

/** Every command: description, usage line, arguments and options. */
export function renderCommands(root: CommandDef): string {
  const out: string[] = [];
  section([], root, out);
  return out.join('\n').trimEnd();
}

export function renderExitCodes(): string {
  const names = Object.fromEntries(Object.entries(EXIT).map(([k, v]) => [v, k.toLowerCase().replaceAll('_', ' ')]));
  return table(['code', 'name', 'when'], Object.entries(EXIT_DOCS).map(([code, text]) => [code, names[Number(code)] ?? '', text]));
}

/** Replace each `<!-- generated:NAME -->...<!-- /generated:NAME -->` block of docs/cli.md. */
export function renderGenerated(text: string, root: CommandDef): string {
  const blocks: Record<string, () => string> = { commands: () => renderCommands(root), 'exit-codes': renderExitCodes };
  let out = text;
  for (const [name, render] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`docs/cli.md has no generated:${name} block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\n${render()}\n${close}`);
  }
  return out;
}
