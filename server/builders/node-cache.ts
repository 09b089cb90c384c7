/**
 * node_modules cache between releases of one app, keyed by what decides the
 * installed tree: the lockfile bytes, the dependency fields of package.json,
 * and the Node version (native addons are ABI-specific).
 *
 *   <cacheDir>/node_modules/<key>/node_modules   the tree right after `npm ci`
 *   <cacheDir>/node_modules/<key>/.complete      written last; a key without it is ignored
 *
 * Entries are published by rename (a crashed build leaves only a .tmp-* dir,
 * swept on the next store), touched on use, and the least recently used are
 * evicted beyond `keep`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BuildFs } from './types.ts';

export const DEP_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies', 'overrides', 'workspaces', 'bundleDependencies'];

/** The cache key: sha256 over the lockfile, the dependency fields of package.json and the node version. */
export function nodeCacheKey(lockfile: Buffer, packageJson: string, nodeVersion: string): string {
  let deps: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(packageJson);
    if (parsed !== null && typeof parsed === 'object') {
      const pkg = parsed as Record<string, unknown>;
      deps = Object.fromEntries(DEP_FIELDS.filter((f) => f in pkg).map((f) => [f, pkg[f]]));
    }
  } catch {
    deps = { unparsable: packageJson };
  }
  return createHash('sha256')
    .update(lockfile)
    .update('\0')
    .update(JSON.stringify(deps))
    .update('\0')
    .update(nodeVersion)
    .digest('hex')
    .slice(0, 32);
}

export class NodeModulesCache {
  readonly #fs: BuildFs;
  readonly #dir: string;
  readonly #keep: number;

  constructor(fs: BuildFs, cacheDir: string, keep = 3) {
    this.#fs = fs;
    this.#dir = join(cacheDir, 'node_modules');
    this.#keep = keep;
  }

  entry(key: string): string {
    return join(this.#dir, key);
  }

  /** The cached entry dir for `key` when complete (and marks it used), else null. */
  async lookup(key: string): Promise<string | null> {
    const dir = this.entry(key);
    if (!(await this.#fs.exists(join(dir, '.complete')))) return null;
    await this.#fs.touch(dir);
    return dir;
  }

  /** A fresh staging dir; fill it, then publish() it. */
  async stage(): Promise<string> {
    const tmp = join(this.#dir, `.tmp-${randomBytes(6).toString('hex')}`);
    await this.#fs.mkdir(tmp);
    return tmp;
  }

  /** Publish a staged dir under `key` (a concurrent build may have won: then ours is dropped). */
  async publish(staged: string, key: string): Promise<void> {
    await this.#fs.touch(join(staged, '.complete'));
    const dest = this.entry(key);
    if (await this.#fs.exists(dest)) {
      await this.#fs.rm(staged);
    } else {
      await this.#fs.rename(staged, dest);
    }
    await this.#evict(key);
  }

  async #evict(current: string): Promise<void> {
    const names = await this.#fs.readdir(this.#dir);
    const entries: Array<{ name: string; mtime: number }> = [];
    for (const name of names) {
      if (name.startsWith('.tmp-')) continue;
      entries.push({ name, mtime: (await this.#fs.mtimeMs(join(this.#dir, name))) ?? 0 });
    }
    entries.sort((a, b) => b.mtime - a.mtime);
    const stale = entries.filter((e) => e.name !== current).slice(Math.max(0, this.#keep - 1));
    for (const e of stale) await this.#fs.rm(join(this.#dir, e.name));
  }
}
