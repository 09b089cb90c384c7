/** Where an app's config files live, in the order the reference checks them. */

export const CONFIG_DIRS = ['src/hop3/', 'src/', ''] as const;
export const CONFIG_EXTS = ['toml', 'yaml', 'yml', 'json'] as const;

/** Every candidate path, relative to the app root: src/hop3/hop3.toml, src/hop3/hop3.yaml, ... hop3.json. */
export const CONFIG_CANDIDATES: readonly string[] = CONFIG_DIRS.flatMap((d) => CONFIG_EXTS.map((e) => `${d}hop3.${e}`));

export const PROCFILE = 'Procfile';
export const HOP3IGNORE = '.hop3ignore';

/** The candidates that exist, in checking order; more than one is an error for the caller to report. */
export function findConfigFiles(exists: (relativePath: string) => boolean): string[] {
  return CONFIG_CANDIDATES.filter((c) => exists(c));
}
