/** Error codes of the build step; docs/builds.md lists them. */
import { defineErrors, Hop3Error } from '../../shared-protocol/errors.ts';

export const BUILD_ERRORS = defineErrors({
  E_BUILD_TOOLCHAIN_MISSING: {
    meaning: 'The toolchain the app needs (npm, python3, go) is not installed on the server.',
    hint: 'Ask the operator to install it (e.g. apt-get install golang-go), or set [build].toolchain to one the server has.',
  },
  E_BUILD_UNKNOWN_TOOLCHAIN: {
    meaning: '[build].toolchain names a toolchain this server does not know.',
    hint: 'Use one of: static, node, python, go, generic.',
  },
  E_BUILD_BUILDER_UNSUPPORTED: {
    meaning: '[build].builder asks for a builder this server does not provide (docker, nix).',
    hint: 'Use builder = "auto" or "local" (native toolchains).',
  },
  E_BUILD_COMMAND_FAILED: {
    meaning: 'A build step (before-build, dependency install, build) exited with a non-zero status.',
    hint: 'Read the build log above the error; run the same command locally in a clean checkout.',
  },
  E_BUILD_TEST_FAILED: {
    meaning: 'The [build].test command failed, so the release was not deployed.',
    hint: 'Fix the failing test (its output is in the build log) and deploy again.',
  },
  E_BUILD_TIMEOUT: {
    meaning: 'A build step ran longer than the build timeout and was killed.',
    hint: 'Make the step faster, or ask the operator to raise the build timeout.',
  },
  E_BUILD_STATIC_ROOT: {
    meaning: 'A static app has no index.html in public/, dist/, site/, _site/, build/ or the app root.',
    hint: 'Put the site in public/ (with an index.html), or generate it in [build].build.',
  },
});

export type BuildErrorCode = keyof typeof BUILD_ERRORS;

export function buildError(code: BuildErrorCode, message: string, details?: Record<string, unknown>): Hop3Error {
  return new Hop3Error(code, message, { hint: BUILD_ERRORS[code].hint, ...(details === undefined ? {} : { details }) });
}
