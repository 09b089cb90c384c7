/**
 * Pure argv builders for the nginx binary (no shell, ever). Every invocation
 * names the main config explicitly (-c), the prefix when configured (-p) and
 * the startup error log when configured (-e), so rootd tests and reloads
 * exactly the nginx instance its config describes.
 */
import type { RootdConfig } from '../config.ts';

export type NginxConfig = RootdConfig['nginx'];

/** The options that select the instance: [-p prefix] -c conf [-e error_log]. */
export function nginxInstanceArgs(cfg: Pick<NginxConfig, 'conf' | 'prefix' | 'error_log'>): string[] {
  return [
    ...(cfg.prefix !== undefined ? ['-p', cfg.prefix] : []),
    '-c',
    cfg.conf,
    ...(cfg.error_log !== undefined ? ['-e', cfg.error_log] : []),
  ];
}

/** `nginx -t -q ...`: test the whole configuration (with the candidate in place), quiet unless it fails. */
export function nginxTestArgv(cfg: Pick<NginxConfig, 'conf' | 'prefix' | 'error_log'>): string[] {
  return ['-t', '-q', ...nginxInstanceArgs(cfg)];
}

/** `nginx ... -s reload`: the new binary reads the pid file named in conf and sends SIGHUP to the master. */
export function nginxReloadArgv(cfg: Pick<NginxConfig, 'conf' | 'prefix' | 'error_log'>): string[] {
  return [...nginxInstanceArgs(cfg), '-s', 'reload'];
}

/**
 * nginx's first error line from `nginx -t` / `-s` output: the first [emerg],
 * [alert], [crit] or [error] line (warnings such as "conflicting server name"
 * come first and are not the cause), else the first non-empty line.
 */
export function nginxFirstError(stderr: string, stdout = ''): string {
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const err = lines.find((l) => /\[(emerg|alert|crit|error)\]/.test(l));
  return (err ?? lines[0] ?? 'nginx failed without output').slice(0, 500);
}
