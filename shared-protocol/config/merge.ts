/**
 * The merge: hop3.toml > Procfile > defaults. hop3.toml's [run].start is the
 * web process, [run.workers].<name> a process type, [build].before-build the
 * prebuild hook, [run].before-run the prerun hook; each overrides the same
 * Procfile entry, and entries only one side defines are kept.
 */
import { DEFAULT_IGNORE } from './ignore-defaults.ts';
import type { AppConfig } from './model.ts';
import type { CronJob, HookName, Procfile } from './procfile.ts';

export type Origin = 'hop3.toml' | 'procfile';

export interface ProcessSpec {
  readonly command: string;
  readonly source: Origin;
}

export interface AppPlan {
  readonly config: AppConfig;
  /** web, workers and any other process type, Procfile order first then hop3.toml additions */
  readonly processes: Readonly<Record<string, ProcessSpec>>;
  readonly hooks: Readonly<Partial<Record<HookName, ProcessSpec>>>;
  readonly cron: readonly CronJob[];
  readonly ignore: { readonly defaults: readonly string[]; readonly patterns: readonly string[] };
}

export const EMPTY_PROCFILE: Procfile = { processes: {}, hooks: {}, cron: [] };

export function mergePlan(config: AppConfig, procfile: Procfile, hop3ignore: readonly string[] = []): AppPlan {
  const processes: Record<string, ProcessSpec> = {};
  for (const [name, command] of Object.entries(procfile.processes)) processes[name] = { command, source: 'procfile' };
  if (config.run.start !== null) processes['web'] = { command: config.run.start, source: 'hop3.toml' };
  for (const [name, command] of Object.entries(config.run.workers)) processes[name] = { command, source: 'hop3.toml' };

  const hooks: Partial<Record<HookName, ProcessSpec>> = {};
  for (const [name, command] of Object.entries(procfile.hooks)) hooks[name as HookName] = { command, source: 'procfile' };
  if (config.build.beforeBuild !== null) hooks.prebuild = { command: config.build.beforeBuild, source: 'hop3.toml' };
  if (config.run.beforeRun !== null) hooks.prerun = { command: config.run.beforeRun, source: 'hop3.toml' };

  return {
    config,
    processes,
    hooks,
    cron: procfile.cron,
    ignore: { defaults: DEFAULT_IGNORE, patterns: [...config.build.ignore, ...hop3ignore] },
  };
}
