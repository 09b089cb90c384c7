/**
 * loadApp: find and read an app's config files in a directory, then resolve
 * them. The only I/O is reading those files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Reporter } from './diagnostics.ts';
import { findConfigFiles, HOP3IGNORE, PROCFILE } from './locate.ts';
import { resolveApp, type AppFiles, type ResolveResult } from './resolve-app.ts';
import type { ValidateOptions } from './validate/context.ts';

export interface LoadResult extends ResolveResult {
  readonly files: { readonly config: string | null; readonly procfile: string | null; readonly hop3ignore: string | null };
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

export function loadApp(dir: string, options: ValidateOptions = {}): LoadResult {
  const found = findConfigFiles((rel) => isFile(join(dir, rel)));
  const procfile = isFile(join(dir, PROCFILE)) ? PROCFILE : null;
  const hop3ignore = isFile(join(dir, HOP3IGNORE)) ? HOP3IGNORE : null;
  const configPath = found[0] ?? null;
  const files = { config: configPath, procfile, hop3ignore };
  if (found.length > 1) {
    const rep = new Reporter(found[1] ?? '');
    rep.at('E_CONFIG_MULTIPLE_FILES', 0, 0, `one app has several config files: ${found.join(', ')}`);
    return { plan: null, diagnostics: rep.diagnostics, format: null, files };
  }
  if (configPath === null && procfile === null) {
    const rep = new Reporter(dir);
    rep.at('E_CONFIG_NO_FILE', 0, 0, `no hop3.toml, hop3.yaml, hop3.yml, hop3.json or Procfile in ${dir}`);
    return { plan: null, diagnostics: rep.diagnostics, format: null, files };
  }
  const read = (rel: string): string => readFileSync(join(dir, rel), 'utf8');
  const input: AppFiles = {
    ...(configPath === null ? {} : { config: { path: configPath, text: read(configPath) } }),
    ...(procfile === null ? {} : { procfile: read(procfile) }),
    ...(hop3ignore === null ? {} : { hop3ignore: read(hop3ignore) }),
  };
  return { ...resolveApp(input, options), files };
}
