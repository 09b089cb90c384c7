/**
 * Which app a command acts on: --app, then $HOP3_APP, then [metadata].id of
 * the app config in the directory (the current one, or deploy's [dir]).
 */
import { Value } from '@sinclair/typebox/value';
import { AppName } from '../shared-protocol/api/common.ts';
import { loadApp } from '../shared-protocol/config/index.ts';
import { usageError } from './errors.ts';

export type AppSource = 'flag' | 'env' | 'config';

export interface ResolvedApp {
  readonly app: string;
  readonly source: AppSource;
}

export interface AppInputs {
  readonly flag: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
  /** Reads [metadata].id from the app config in dir (injectable for tests). */
  readonly configId?: (dir: string) => ConfigId;
}

export type ConfigId = { readonly id: string | null; readonly file: string | null; readonly problem: string | null };

/** [metadata].id of the app config in dir, or why there is none. */
export function configIdIn(dir: string): ConfigId {
  const r = loadApp(dir);
  if (r.files.config === null) return { id: null, file: null, problem: null };
  if (r.plan === null) {
    const first = r.diagnostics.find((d) => d.severity === 'error');
    return { id: null, file: r.files.config, problem: first === undefined ? 'it is invalid' : `${first.code}: ${first.message}` };
  }
  return { id: r.plan.config.metadata.id, file: r.files.config, problem: null };
}

function checked(app: string, where: string): string {
  if (!Value.Check(AppName, app)) {
    throw usageError(`app name ${JSON.stringify(app)} (from ${where}) is not valid`, 'Use 1-63 chars: lowercase letters, digits and dashes.');
  }
  return app;
}

export function resolveAppName(inputs: AppInputs): ResolvedApp {
  if (inputs.flag !== undefined && inputs.flag !== '') return { app: checked(inputs.flag, '--app'), source: 'flag' };
  const fromEnv = inputs.env['HOP3_APP'];
  if (fromEnv !== undefined && fromEnv !== '') return { app: checked(fromEnv, 'HOP3_APP'), source: 'env' };
  const cfg = (inputs.configId ?? configIdIn)(inputs.dir);
  if (cfg.id !== null) return { app: checked(cfg.id, `[metadata].id in ${cfg.file ?? 'the app config'}`), source: 'config' };
  const why =
    cfg.file === null
      ? `no hop3.toml in ${inputs.dir}`
      : cfg.problem !== null
        ? `${cfg.file} in ${inputs.dir} is invalid (${cfg.problem})`
        : `${cfg.file} in ${inputs.dir} has no [metadata].id`;
  throw usageError(`which app? ${why}`, 'Pass --app <name>, set HOP3_APP, or run from a directory whose hop3.toml sets [metadata].id.');
}
