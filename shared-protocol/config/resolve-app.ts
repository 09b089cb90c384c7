/**
 * resolveApp: the pure core of loading. Given the texts of an app's files
 * (config file, Procfile, .hop3ignore), parse, validate and merge them.
 */
import { Reporter, hasErrors, type Diagnostic } from './diagnostics.ts';
import { defaultAppConfig } from './defaults.ts';
import { parseIgnoreFile } from './ignore-defaults.ts';
import { EMPTY_PROCFILE, mergePlan, type AppPlan } from './merge.ts';
import { parseProcfile, type Procfile } from './procfile.ts';
import { formatOf, parseSource } from './source/index.ts';
import type { ConfigFormat } from './source/parsed.ts';
import type { ValidateOptions } from './validate/context.ts';
import { validateConfigValue } from './validate/index.ts';
import type { AppConfig } from './model.ts';

export interface AppFiles {
  /** the config file found, with its path relative to the app root (its extension gives the syntax) */
  readonly config?: { readonly path: string; readonly text: string };
  readonly procfile?: string;
  readonly hop3ignore?: string;
}

export interface ResolveResult {
  /** null when any error was reported */
  readonly plan: AppPlan | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly format: ConfigFormat | null;
}

/** Parse and validate one config document on its own (no Procfile). */
export function validateConfigText(
  text: string,
  path: string,
  options: ValidateOptions = {},
): { config: AppConfig | null; diagnostics: Diagnostic[] } {
  const format = formatOf(path) ?? 'toml';
  const parsed = parseSource(text, format);
  if (!parsed.ok) {
    const rep = new Reporter(path);
    rep.at('E_CONFIG_PARSE', parsed.line, parsed.column, parsed.message);
    return { config: null, diagnostics: rep.diagnostics };
  }
  const rep = new Reporter(path, parsed.positions);
  const config = validateConfigValue(parsed.value, rep, options);
  return { config, diagnostics: rep.diagnostics };
}

export function resolveApp(files: AppFiles, options: ValidateOptions = {}): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  let config: AppConfig | null = defaultAppConfig();
  let format: ConfigFormat | null = null;
  if (files.config !== undefined) {
    format = formatOf(files.config.path) ?? 'toml';
    const r = validateConfigText(files.config.text, files.config.path, options);
    diagnostics.push(...r.diagnostics);
    config = r.config;
  }
  let procfile: Procfile = EMPTY_PROCFILE;
  if (files.procfile !== undefined) {
    const rep = new Reporter('Procfile');
    procfile = parseProcfile(files.procfile, rep);
    diagnostics.push(...rep.diagnostics);
  }
  let ignorePatterns: string[] = [];
  if (files.hop3ignore !== undefined) {
    const rep = new Reporter('.hop3ignore');
    rep.at('W_CONFIG_HOP3IGNORE_DEPRECATED', 1, 1, '.hop3ignore is deprecated and read for this release only');
    diagnostics.push(...rep.diagnostics);
    ignorePatterns = parseIgnoreFile(files.hop3ignore);
  }
  if (config === null || hasErrors(diagnostics)) return { plan: null, diagnostics, format };
  return { plan: mergePlan(config, procfile, ignorePatterns), diagnostics, format };
}
