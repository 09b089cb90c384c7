/**
 * The build environment: nothing is inherited from the server process (its
 * env may hold secrets); a fixed base, caches pointed into the app's cache
 * dir, then the app's own env on top.
 */
import { dirname, join } from 'node:path';

export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface BuildEnvInput {
  readonly cacheDir: string;
  /** the app's resolved env (hop3 config + [env]); wins over the base */
  readonly appEnv?: Readonly<Record<string, string>>;
  /** extra directories searched first for toolchains (default: the server's own node) */
  readonly toolchainPath?: readonly string[];
}

/** The scrubbed base env of a build (before the app's env). */
export function baseBuildEnv(cacheDir: string, toolchainPath: readonly string[] = [dirname(process.execPath)]): Record<string, string> {
  const path = [...toolchainPath.filter((d) => !BASE_PATH.split(':').includes(d)), BASE_PATH].join(':');
  return {
    PATH: path,
    HOME: join(cacheDir, 'home'),
    LANG: 'C.UTF-8',
    CI: 'true',
    npm_config_cache: join(cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    PIP_CACHE_DIR: join(cacheDir, 'pip'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    GOCACHE: join(cacheDir, 'go-build'),
    GOPATH: join(cacheDir, 'go'),
    GOTOOLCHAIN: 'local',
  };
}

export function buildEnv(input: BuildEnvInput): Record<string, string> {
  return { ...baseBuildEnv(input.cacheDir, input.toolchainPath), ...(input.appEnv ?? {}) };
}
