/**
 * Procfile parsing: "name: command" per line, # comments. Hooks (prebuild,
 * prerun, release) and cron entries (cron, cron-*, cron_*, cronN: a 5-field
 * UTC schedule then the command) are told apart from process types.
 */
import { Reporter } from './diagnostics.ts';
import type { SourcePos } from './source/position.ts';
import { pathKey } from './source/position.ts';
import { isCronName, HOOK_NAMES } from './validate/build-run.ts';
import { cronProblem } from './validate/cron.ts';

export type HookName = 'prebuild' | 'prerun' | 'release';

export interface CronJob {
  readonly name: string;
  /** 5 fields, UTC */
  readonly schedule: string;
  readonly command: string;
}

export interface Procfile {
  /** process types in file order (web, worker, ...) */
  readonly processes: Readonly<Record<string, string>>;
  readonly hooks: Readonly<Partial<Record<HookName, string>>>;
  readonly cron: readonly CronJob[];
}

const LINE_RE = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/;

export function parseProcfile(text: string, rep: Reporter): Procfile {
  const processes: Record<string, string> = {};
  const hooks: Partial<Record<HookName, string>> = {};
  const cron: CronJob[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    const lineNo = i + 1;
    if (line === '' || line.startsWith('#')) return;
    const m = LINE_RE.exec(line);
    if (m === null) {
      rep.at('E_CONFIG_PROCFILE_SYNTAX', lineNo, 1, `expected "name: command", got ${JSON.stringify(line)}`);
      return;
    }
    const name = m[1] ?? '';
    const command = (m[2] ?? '').trim();
    if (seen.has(name)) {
      rep.at('E_CONFIG_PROCFILE_DUPLICATE', lineNo, 1, `process type "${name}" is defined twice`, undefined, name);
      return;
    }
    seen.add(name);
    if (command === '') {
      rep.at('E_CONFIG_EMPTY_COMMAND', lineNo, 1, `"${name}" has an empty command`, undefined, name);
      return;
    }
    if (HOOK_NAMES.has(name)) hooks[name as HookName] = command;
    else if (isCronName(name)) {
      const fields = command.split(/\s+/);
      const schedule = fields.slice(0, 5).join(' ');
      const rest = fields.slice(5).join(' ');
      const problem = fields.length < 6 ? 'a cron entry is "<5 schedule fields> <command>"' : cronProblem(schedule);
      if (problem !== null) rep.at('E_CONFIG_PROCFILE_CRON', lineNo, 1, `${name}: ${problem}`, undefined, name);
      else cron.push({ name, schedule, command: rest });
    } else processes[name] = command;
  });
  return { processes, hooks, cron };
}

/** Line positions of each entry, for callers that report against Procfile names. */
export function procfilePositions(text: string): Map<string, SourcePos> {
  const map = new Map<string, SourcePos>();
  text.split(/\r?\n/).forEach((l, i) => {
    const m = LINE_RE.exec(l.trim());
    if (m?.[1] !== undefined && !map.has(pathKey([m[1]]))) map.set(pathKey([m[1]]), { line: i + 1, column: 1 });
  });
  return map;
}
