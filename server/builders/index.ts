/** Public surface of the builders (pipeline step 3). */
export { BUILD_ERRORS, type BuildErrorCode } from './errors.ts';
export { detectToolchain, TOOLCHAIN_ALIASES, type Detection } from './detect.ts';
export { baseBuildEnv, buildEnv, BASE_PATH } from './env.ts';
export { createBuildExec } from './exec.ts';
export { createBuildFs } from './fs.ts';
export { builderFor, DEFAULT_BUILD_LIMITS, runBuild, type BuildInput, type BuildResult } from './run.ts';
export type { CacheStrategy } from './node.ts';
export type * from './types.ts';
