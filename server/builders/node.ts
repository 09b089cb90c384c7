/**
 * Node: `npm ci` when a lockfile exists (reusing node_modules from the cache
 * when its key is unchanged), else `npm install` (no cache: the tree is not
 * pinned). On a cache hit the root package's install lifecycle scripts run,
 * as `npm ci` would have run them.
 */
import { join } from 'node:path';
import { buildError } from './errors.ts';
import { nodeCacheKey, NodeModulesCache } from './node-cache.ts';
import { runStep } from './step.ts';
import type { BuildContext, Builder, BuilderDeps, BuilderResult, StepTiming } from './types.ts';

export type CacheStrategy = 'copy' | 'hardlink';

export const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'] as const;
export const ROOT_INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;

export function npmInstallArgv(npm: string, ci: boolean): string[] {
  return [npm, ci ? 'ci' : 'install', '--no-audit', '--no-fund'];
}

/** cp -a (independent copy) or cp -al (hard links: fast, but in-place edits of a file reach the cache). */
export function copyTreeArgv(cp: string, from: string, to: string, strategy: CacheStrategy): string[] {
  return [cp, strategy === 'hardlink' ? '-al' : '-a', '--', from, to];
}

/** Root scripts npm ci runs, in order, that package.json defines. */
export function rootInstallScripts(packageJson: string): string[] {
  try {
    const pkg = JSON.parse(packageJson) as { scripts?: Record<string, unknown> };
    const scripts = pkg.scripts ?? {};
    return ROOT_INSTALL_SCRIPTS.filter((s) => typeof scripts[s] === 'string');
  } catch {
    return [];
  }
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'] as const;

/**
 * True when npm has nothing to do: package.json parses, declares no dependency
 * of any kind and no root install script. (An unparsable package.json is left
 * to npm, which reports it.)
 */
export function nothingToInstall(packageJson: string): boolean {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(packageJson) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (pkg === null || typeof pkg !== 'object') return false;
  for (const field of DEPENDENCY_FIELDS) {
    const v = pkg[field];
    if (v === undefined) continue;
    if (Array.isArray(v) ? v.length > 0 : typeof v !== 'object' || v === null || Object.keys(v).length > 0) return false;
  }
  return rootInstallScripts(packageJson).length === 0;
}

async function tool(name: string, ctx: BuildContext, deps: BuilderDeps): Promise<string> {
  const found = await deps.exec.which(name, ctx.env['PATH'] ?? '');
  if (found === null) throw buildError('E_BUILD_TOOLCHAIN_MISSING', `this is a Node app but the server has no ${name} in PATH`);
  return found;
}

async function nodeVersion(node: string, ctx: BuildContext, deps: BuilderDeps): Promise<string> {
  let version = '';
  const out = await deps.exec.run({
    argv: [node, '--version'],
    cwd: ctx.releaseDir,
    env: ctx.env,
    timeoutMs: 30_000,
    outputCapBytes: 1024,
    onLine: (_s, text) => (version += text.trim()),
  });
  if (out.code !== 0) throw buildError('E_BUILD_TOOLCHAIN_MISSING', `${node} --version failed`);
  return version;
}

export function createNodeBuilder(strategy: CacheStrategy = 'copy'): Builder {
  return {
    toolchain: 'node',
    async build(ctx, deps): Promise<BuilderResult> {
      const pkgPath = join(ctx.releaseDir, 'package.json');
      if ((await deps.fs.exists(pkgPath)) && nothingToInstall((await deps.fs.readFile(pkgPath)).toString('utf8'))) {
        // npm install would spend ~0.5 s installing nothing.
        deps.log({ step: 'install', stream: 'hop3', text: 'package.json declares no dependencies and no install scripts: nothing to install' });
        return { artifacts: {}, steps: [], cache: 'none' };
      }
      const npm = await tool('npm', ctx, deps);
      const lock = await findLockfile(ctx, deps);
      if (lock === null) {
        deps.log({ step: 'install', stream: 'hop3', text: 'no package-lock.json: npm install (not cached; commit a lockfile for reproducible, cached builds)' });
        const step = await runStep('install', npmInstallArgv(npm, false), ctx, deps);
        return { artifacts: { node_modules: 'node_modules' }, steps: [step], cache: 'none' };
      }
      const node = await tool('node', ctx, deps);
      const cp = await tool('cp', ctx, deps);
      const packageJson = (await deps.fs.readFile(join(ctx.releaseDir, 'package.json'))).toString('utf8');
      const key = nodeCacheKey(await deps.fs.readFile(join(ctx.releaseDir, lock)), packageJson, await nodeVersion(node, ctx, deps));
      const cache = new NodeModulesCache(deps.fs, ctx.cacheDir);
      const steps: StepTiming[] = [];
      const hit = await cache.lookup(key);
      if (hit !== null) {
        deps.log({ step: 'cache', stream: 'hop3', text: `${lock} unchanged: reusing node_modules (${strategy}, key ${key.slice(0, 12)})` });
        if (await deps.fs.exists(join(hit, 'node_modules'))) {
          steps.push(await runStep('cache-restore', copyTreeArgv(cp, join(hit, 'node_modules'), join(ctx.releaseDir, 'node_modules'), strategy), ctx, deps));
        }
        for (const script of rootInstallScripts(packageJson)) {
          steps.push(await runStep(`npm-${script}`, [npm, 'run-script', script], ctx, deps));
        }
        return { artifacts: { node_modules: 'node_modules' }, steps, cache: 'hit' };
      }
      steps.push(await runStep('install', npmInstallArgv(npm, true), ctx, deps));
      const staged = await cache.stage();
      try {
        if (await deps.fs.exists(join(ctx.releaseDir, 'node_modules'))) {
          steps.push(await runStep('cache-store', copyTreeArgv(cp, join(ctx.releaseDir, 'node_modules'), join(staged, 'node_modules'), strategy), ctx, deps));
        }
        await cache.publish(staged, key);
      } catch (e) {
        // the release is built; only the next one loses the shortcut
        await deps.fs.rm(staged);
        deps.log({ step: 'cache', stream: 'hop3', text: `warning: node_modules not cached: ${(e as Error).message}` });
      }
      return { artifacts: { node_modules: 'node_modules' }, steps, cache: 'miss' };
    },
  };
}

async function findLockfile(ctx: BuildContext, deps: BuilderDeps): Promise<string | null> {
  for (const name of LOCKFILES) if (await deps.fs.exists(join(ctx.releaseDir, name))) return name;
  return null;
}
