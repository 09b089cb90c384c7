/**
 * Step 3: build the release in place (server/builders: detect, before-build,
 * install, build, test), streaming every output line into the deploy log.
 * Static sites get their root (served by nginx); anything else must have a
 * process to run.
 */
import { mkdir } from 'node:fs/promises';
import type { AppPlan } from '../../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../../shared-protocol/errors.ts';
import { createBuildExec, createBuildFs, runBuild, type BuildLine, type BuildResult } from '../../builders/index.ts';

export interface BuildStepInput {
  readonly plan: AppPlan;
  readonly releaseDir: string;
  readonly cacheDir: string;
  /** the app's stored env (config set), visible to build commands */
  readonly appEnv: Readonly<Record<string, string>>;
  readonly onLine: (line: string) => void;
}

export interface BuildStepResult {
  readonly build: BuildResult;
  readonly staticRoot: string | null;
  readonly detail: string;
}

function format(l: BuildLine): string {
  return l.stream === 'hop3' ? `[${l.step}] ${l.text}` : `${l.step} | ${l.text}`;
}

export async function buildRelease(input: BuildStepInput): Promise<BuildStepResult> {
  await mkdir(input.cacheDir, { recursive: true, mode: 0o750 });
  const build = await runBuild(
    {
      releaseDir: input.releaseDir,
      cacheDir: input.cacheDir,
      build: input.plan.config.build,
      prebuild: input.plan.hooks.prebuild?.command ?? null,
      appEnv: input.appEnv,
    },
    { exec: createBuildExec(), fs: createBuildFs(), log: (l) => input.onLine(format(l)) },
  );
  const staticRoot = build.toolchain === 'static' ? (build.artifacts['root'] ?? '.') : null;
  if (staticRoot === null && Object.keys(input.plan.processes).length === 0) {
    throw new Hop3Error('E_NOTHING_TO_RUN', `the app has no process to run (toolchain ${build.toolchain}) and is not a static site`);
  }
  const cache = build.cache === 'none' ? '' : `, cache ${build.cache}`;
  return { build, staticRoot, detail: `${build.toolchain} (${build.reason})${cache}` };
}
