/**
 * Toolchain detection: [build].builder and [build].toolchain first (explicit
 * beats guessed), then marker files at the app root. Pure.
 */
import type { BuildConfig } from '../../shared-protocol/config/index.ts';
import { buildError } from './errors.ts';
import type { Toolchain } from './types.ts';

export interface Detection {
  readonly toolchain: Toolchain;
  /** one sentence for the build log */
  readonly reason: string;
}

export const TOOLCHAIN_ALIASES: Readonly<Record<string, Toolchain>> = {
  static: 'static',
  node: 'node',
  nodejs: 'node',
  npm: 'node',
  python: 'python',
  python3: 'python',
  go: 'go',
  golang: 'go',
  generic: 'generic',
  shell: 'generic',
  none: 'generic',
};

const PYTHON_MARKERS = ['requirements.txt', 'pyproject.toml', 'setup.py', 'Pipfile'];

export function detectToolchain(build: Pick<BuildConfig, 'builder' | 'toolchain' | 'build'>, rootNames: ReadonlySet<string>): Detection {
  if (build.builder === 'docker' || build.builder === 'nix') {
    throw buildError('E_BUILD_BUILDER_UNSUPPORTED', `[build].builder = "${build.builder}" is not available on this server`);
  }
  if (build.toolchain !== null) {
    const t = TOOLCHAIN_ALIASES[build.toolchain.toLowerCase()];
    if (t === undefined) throw buildError('E_BUILD_UNKNOWN_TOOLCHAIN', `[build].toolchain = "${build.toolchain}" is not a known toolchain`);
    return { toolchain: t, reason: `[build].toolchain = "${build.toolchain}"` };
  }
  if (rootNames.has('go.mod')) return { toolchain: 'go', reason: 'go.mod found' };
  if (rootNames.has('package.json')) return { toolchain: 'node', reason: 'package.json found' };
  const py = PYTHON_MARKERS.find((m) => rootNames.has(m));
  if (py !== undefined) return { toolchain: 'python', reason: `${py} found` };
  const script = [...rootNames].sort().find((n) => n.endsWith('.py'));
  if (script !== undefined) return { toolchain: 'python', reason: `${script} found` };
  if (rootNames.has('index.html')) return { toolchain: 'static', reason: 'index.html found' };
  if (build.build !== null) return { toolchain: 'generic', reason: 'a [build].build command and no toolchain marker' };
  return { toolchain: 'generic', reason: 'no toolchain marker: nothing to install' };
}
