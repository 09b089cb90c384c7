/** Real-exec helpers: a temp root with an app cache dir, releases made the real way (bundle → extract). */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApp } from '../../shared-protocol/config/index.ts';
import { createBuildExec } from '../../server/builders/exec.ts';
import { createBuildFs } from '../../server/builders/fs.ts';
import type { BuildInput } from '../../server/builders/run.ts';
import type { BuilderDeps, BuildLine } from '../../server/builders/types.ts';
import { createBundle } from '../../cli/bundle/bundle.ts';
import { extractUpload } from '../../server/deploy/upload.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export interface Workspace {
  readonly root: string;
  readonly cacheDir: string;
  /** bundle `appDir` and extract it into a new release; returns the release dir and the app's [build] */
  release(appDir: string): Promise<{ dir: string; build: BuildInput['build']; prebuild: string | null }>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'hop3-build-'));
  const cacheDir = join(root, 'cache');
  await mkdir(join(root, 'releases'));
  let n = 0;
  return {
    root,
    cacheDir,
    async release(appDir) {
      const loaded = loadApp(appDir);
      if (loaded.plan === null) throw new Error(`invalid app ${appDir}: ${JSON.stringify(loaded.diagnostics)}`);
      const dir = join(root, 'releases', `r${++n}`);
      const { stream } = await createBundle(appDir, { ignore: loaded.plan.ignore.patterns });
      await extractUpload(stream, dir);
      return { dir, build: loaded.plan.config.build, prebuild: loaded.plan.hooks.prebuild?.command ?? null };
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export function realDeps(): BuilderDeps & { lines: BuildLine[] } {
  const lines: BuildLine[] = [];
  return { exec: createBuildExec(), fs: createBuildFs(), log: (l) => lines.push(l), lines };
}
