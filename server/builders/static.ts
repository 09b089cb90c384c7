/** Static sites: nothing to install; the artifact is the directory nginx serves. */
import { join } from 'node:path';
import { buildError } from './errors.ts';
import type { Builder } from './types.ts';

export const STATIC_ROOTS = ['public', 'dist', 'site', '_site', 'build', '.'] as const;

export const staticBuilder: Builder = {
  toolchain: 'static',
  async build(ctx, deps) {
    for (const root of STATIC_ROOTS) {
      if (await deps.fs.exists(join(ctx.releaseDir, root, 'index.html'))) {
        deps.log({ step: 'static', stream: 'hop3', text: `static site root: ${root}` });
        return { artifacts: { root }, steps: [], cache: 'none' };
      }
    }
    throw buildError('E_BUILD_STATIC_ROOT', 'no index.html in public/, dist/, site/, _site/, build/ or the app root');
  },
};

/** Apps that only run their own commands: no toolchain step at all. */
export const genericBuilder: Builder = {
  toolchain: 'generic',
  build: () => Promise.resolve({ artifacts: {}, steps: [], cache: 'none' }),
};
