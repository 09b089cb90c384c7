/** Public surface of the hop3.toml / Procfile config model. */
export { CONFIG_ERRORS, CONFIG_WARNINGS, type ConfigCode, type ConfigErrorCode, type ConfigWarningCode } from './errors.ts';
export { formatDiagnostic, hasErrors, Reporter, type Diagnostic, type Severity } from './diagnostics.ts';
export type * from './model.ts';
export type { EnvConfig, EnvValue, GenerateKind } from './env-model.ts';
export { defaultAppConfig } from './defaults.ts';
export { DEFAULT_IGNORE, parseIgnoreFile, uploadFilter } from './ignore-defaults.ts';
export { mergePlan, type AppPlan, type Origin, type ProcessSpec } from './merge.ts';
export { parseProcfile, type CronJob, type HookName, type Procfile } from './procfile.ts';
export { CONFIG_CANDIDATES, findConfigFiles, HOP3IGNORE, PROCFILE } from './locate.ts';
export { resolveApp, validateConfigText, type AppFiles, type ResolveResult } from './resolve-app.ts';
export { loadApp, type LoadResult } from './load.ts';
export { DEFAULT_PG_EXTENSIONS, DENIED_PG_EXTENSIONS, parseExtraPgExtensions } from './pg-extensions.ts';
export { NIX_REQUIRED, NIX_TEMPLATES, type NixRaw, type NixTemplate } from './schema/nix.ts';
export { generateNixForConfig, nixInputFromConfig, type NixFromConfigOptions } from './nix/index.ts';
export { RootSchema, SECTION_NAMES } from './schema/root.ts';
export type { ValidateOptions } from './validate/context.ts';
