/**
 * From argv to the leaf command: walks the citty command tree by name, so an
 * unknown command, sub-command or flag is a usage error with a did-you-mean
 * (citty alone would silently accept unknown flags and does not suggest).
 */
import type { ArgDef, CommandDef, CommandMeta } from 'citty';
import { usageError } from './errors.ts';
import { didYouMean } from './suggest.ts';

type AnyCommand = CommandDef;

export interface Resolved {
  /** The command to run. */
  readonly cmd: AnyCommand;
  /** Names from the root to cmd, e.g. ['app', 'status']. */
  readonly path: readonly string[];
  /** Everything for cmd: flags, positionals, and "--" with what follows it. */
  readonly args: readonly string[];
  readonly help: boolean;
  readonly json: boolean;
}

const HELP_FLAGS = new Set(['--help', '-h']);
/** Flags that take a value wherever they appear (`hop3 --app web logs`). */
const GLOBAL_VALUE_FLAGS = new Set(['app', 'a']);

function meta(cmd: AnyCommand): CommandMeta {
  return (typeof cmd.meta === 'object' && cmd.meta !== null && !(cmd.meta instanceof Promise) ? cmd.meta : {}) as CommandMeta;
}

export function subCommandsOf(cmd: AnyCommand): Record<string, AnyCommand> {
  const subs = cmd.subCommands;
  return (typeof subs === 'object' && subs !== null && !(subs instanceof Promise) ? subs : {}) as Record<string, AnyCommand>;
}

export function argsOf(cmd: AnyCommand): Record<string, ArgDef> {
  const a = cmd.args;
  return (typeof a === 'object' && a !== null && !(a instanceof Promise) ? a : {}) as Record<string, ArgDef>;
}

function aliases(def: ArgDef): string[] {
  const a = 'alias' in def ? def.alias : undefined;
  return a === undefined ? [] : Array.isArray(a) ? a : [a];
}

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Flag spellings a command accepts, each with whether it takes a value. */
export function flagTable(cmd: AnyCommand): Map<string, boolean> {
  const table = new Map<string, boolean>([['help', false], ['h', false]]);
  for (const [name, def] of Object.entries(argsOf(cmd))) {
    if (def.type === 'positional') continue;
    const takesValue = def.type === 'string' || def.type === 'enum';
    for (const n of [name, kebab(name), ...aliases(def)]) {
      table.set(n, takesValue);
      if (!takesValue && n.length > 1) table.set(`no-${n}`, false);
    }
  }
  return table;
}

function hasPositionals(cmd: AnyCommand): boolean {
  return Object.values(argsOf(cmd)).some((d) => d.type === 'positional');
}

function findSub(subs: Record<string, AnyCommand>, name: string): AnyCommand | undefined {
  if (Object.hasOwn(subs, name)) return subs[name];
  return Object.values(subs).find((s) => {
    const a = meta(s).alias;
    return a !== undefined && (Array.isArray(a) ? a.includes(name) : a === name);
  });
}

function visibleNames(subs: Record<string, AnyCommand>): string[] {
  return Object.entries(subs)
    .filter(([, s]) => meta(s).hidden !== true)
    .map(([n]) => n);
}

function checkFlag(token: string, table: Map<string, boolean>, where: string): boolean {
  const body = token.startsWith('--') ? token.slice(2) : token.slice(1);
  const name = body.split('=')[0] ?? '';
  if (!token.startsWith('--') && name.length > 1) {
    // -abc: a cluster of one-letter flags; only the last may take a value (-fn 5).
    const chars = [...name];
    for (const [i, ch] of chars.entries()) {
      const v = table.get(ch);
      if (v === undefined || (v && i < chars.length - 1)) throw usageError(`unknown flag "-${ch}" for "${where}"`, `See "${where} --help".`);
    }
    return table.get(chars[chars.length - 1] ?? '') === true && !body.includes('=');
  }
  const takesValue = table.get(name);
  if (takesValue === undefined) {
    const long = [...table.keys()].filter((k) => k.length > 1 && !k.startsWith('no-'));
    throw usageError(`unknown flag "${token.split('=')[0] ?? token}" for "${where}".${didYouMean(name, long, '--')}`, `See "${where} --help".`);
  }
  return takesValue && !body.includes('=');
}

/** Resolve the leaf command for argv (argv without the node and script paths). */
export function resolveCommand(root: AnyCommand, argv: readonly string[]): Resolved {
  let cmd = root;
  const path: string[] = [];
  const rest: string[] = [];
  let descending = true;
  let help = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i] as string;
    if (tok === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (HELP_FLAGS.has(tok)) {
      help = true;
      continue;
    }
    if (tok === '--json') json = true;
    if (tok.startsWith('-') && tok !== '-') {
      rest.push(tok);
      // The value of a flag is taken as a value, not a command: look the flag up on the command reached so far.
      const next = argv[i + 1];
      const flag = (tok.startsWith('--') ? tok.slice(2) : tok.slice(1)).split('=')[0] ?? '';
      const takes = flagTable(cmd).get(flag) ?? GLOBAL_VALUE_FLAGS.has(flag);
      if (takes === true && !tok.includes('=') && next !== undefined) {
        rest.push(next);
        i++;
      }
      continue;
    }
    const subs = subCommandsOf(cmd);
    const sub = descending ? findSub(subs, tok) : undefined;
    if (sub !== undefined) {
      cmd = sub;
      path.push(tok);
      continue;
    }
    if (descending && Object.keys(subs).length > 0 && !hasPositionals(cmd)) {
      const where = ['hop3', ...path].join(' ');
      throw usageError(`unknown command "${tok}" for "${where}".${didYouMean(tok, visibleNames(subs))}`, `See "${where} --help".`);
    }
    descending = false;
    rest.push(tok);
  }
  if (!help) {
    const where = ['hop3', ...path].join(' ');
    const table = flagTable(cmd);
    const positionals = hasPositionals(cmd);
    for (let i = 0; i < rest.length; i++) {
      const tok = rest[i] as string;
      if (tok === '--') break;
      if (tok.startsWith('-') && tok !== '-') {
        if (checkFlag(tok, table, where)) i++;
      } else if (!positionals) {
        throw usageError(`"${where}" takes no argument, got "${tok}"`, `See "${where} --help".`);
      }
    }
  }
  return { cmd, path, args: rest, help, json };
}
