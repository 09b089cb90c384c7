/**
 * The one path guard. Only this module produces paths that ops touch: it
 * derives them from rootd's configured roots + a validated app name + a
 * relative target, and rejects "..", absolute targets, NUL, and any symbolic
 * link on the way down. Paths are a type: ops accept GuardedPath, not string.
 */
import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Hop3Error } from '../shared-protocol/errors.ts';
import { APP_NAME_PATTERN } from '../shared-protocol/ops/fields.ts';

export type GuardedPath = string & { readonly __guarded: unique symbol };

const APP_NAME_RE = new RegExp(APP_NAME_PATTERN);

export function assertAppName(app: string): void {
  if (typeof app !== 'string' || !APP_NAME_RE.test(app)) {
    throw new Hop3Error('E_INVALID_APP_NAME', `invalid app name ${JSON.stringify(String(app).slice(0, 80))}`, {
      hint: 'Use 1-63 chars: lowercase letters, digits and dashes, not starting or ending with a dash.',
    });
  }
}

/** Split a relative target into clean segments, or throw E_PATH_OUTSIDE_ROOT. */
export function targetSegments(target: string): string[] {
  if (typeof target !== 'string' || target.length === 0 || target.length > 1024) {
    throw new Hop3Error('E_PATH_OUTSIDE_ROOT', 'target must be a non-empty relative path of at most 1024 chars');
  }
  if (target.includes('\0')) throw new Hop3Error('E_PATH_OUTSIDE_ROOT', 'target contains a NUL byte');
  if (target.startsWith('/')) {
    throw new Hop3Error('E_PATH_OUTSIDE_ROOT', `target ${JSON.stringify(target)} is absolute`, {
      hint: 'Targets are relative to the app tree, e.g. "data/cache".',
    });
  }
  const segs = target.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '..')) {
    throw new Hop3Error('E_PATH_OUTSIDE_ROOT', `target ${JSON.stringify(target)} contains ".."`, {
      hint: 'Give a path inside the app tree without "..".',
    });
  }
  if (segs.length === 0) throw new Hop3Error('E_PATH_OUTSIDE_ROOT', 'target names the tree root itself');
  return segs;
}

export interface PathFs {
  lstat(path: string): Promise<{ isSymbolicLink(): boolean; isDirectory(): boolean } | null>;
}

export const realPathFs: PathFs = {
  async lstat(path) {
    try {
      return await fsp.lstat(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  },
};

export interface GuardResult {
  readonly path: GuardedPath;
  /** Whether every component exists (the last one may be any type). */
  readonly exists: boolean;
}

/**
 * Walk root/seg1/seg2/... with lstat, refusing symlinks. `root` must already be
 * canonical (rootd realpaths its configured roots at start).
 */
export async function guardUnder(root: string, segments: readonly string[], fs: PathFs = realPathFs): Promise<GuardResult> {
  let cur = root;
  let exists = true;
  for (const seg of segments) {
    if (seg === '' || seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\0')) {
      throw new Hop3Error('E_PATH_OUTSIDE_ROOT', `bad path segment ${JSON.stringify(seg)}`);
    }
    cur = join(cur, seg);
    if (!exists) continue;
    const st = await fs.lstat(cur);
    if (st === null) {
      exists = false;
      continue;
    }
    if (st.isSymbolicLink()) {
      throw new Hop3Error('E_PATH_SYMLINK', `${cur} is a symbolic link`, {
        hint: 'rootd never follows symlinks inside app trees; replace it by a real directory.',
      });
    }
  }
  if (!cur.startsWith(root.endsWith('/') ? root : root + '/')) {
    throw new Hop3Error('E_PATH_OUTSIDE_ROOT', `${cur} is outside ${root}`);
  }
  return { path: cur as GuardedPath, exists };
}

/** <APP_ROOT>/<app>/src/<target>: where mounts may go. */
export async function guardAppSrcTarget(appRoot: string, app: string, target: string, fs: PathFs = realPathFs): Promise<GuardResult> {
  assertAppName(app);
  return guardUnder(appRoot, [app, 'src', ...targetSegments(target)], fs);
}

/** <cgroup_root>/hop3.slice and <cgroup_root>/hop3.slice/hop3-app-<app>.scope. */
export const SLICE_NAME = 'hop3.slice';
export function leafName(app: string): string {
  assertAppName(app);
  return `hop3-app-${app}.scope`;
}
export async function guardCgroupLeaf(cgroupRoot: string, app: string, fs: PathFs = realPathFs): Promise<GuardResult> {
  return guardUnder(cgroupRoot, [SLICE_NAME, leafName(app)], fs);
}

/**
 * A bind source must exist, resolve (realpath) under a realpath'd allow-list
 * entry, and contain no symlink: the caller's string must equal its realpath.
 */
export async function guardBindSource(source: string, allowlist: readonly string[]): Promise<GuardedPath> {
  if (typeof source !== 'string' || !source.startsWith('/') || source.includes('\0')) {
    throw new Hop3Error('E_PATH_OUTSIDE_ROOT', 'bind source must be an absolute path');
  }
  const normalized = source.length > 1 && source.endsWith('/') ? source.slice(0, -1) : source;
  let real: string;
  try {
    real = await fsp.realpath(normalized);
  } catch {
    throw new Hop3Error('E_NOT_FOUND', `bind source ${normalized} does not exist`);
  }
  if (real !== normalized) {
    throw new Hop3Error('E_PATH_SYMLINK', `bind source ${normalized} resolves to ${real}`, {
      hint: 'Give the real path (no symlinks) of a directory under the operator allow-list.',
    });
  }
  for (const entry of allowlist) {
    let allowedReal: string;
    try {
      allowedReal = await fsp.realpath(entry);
    } catch {
      continue;
    }
    if (real === allowedReal || real.startsWith(allowedReal === '/' ? '/' : allowedReal + '/')) {
      return real as GuardedPath;
    }
  }
  throw new Hop3Error('E_BIND_NOT_ALLOWED', `bind source ${real} is not under the operator allow-list`, {
    hint: 'Ask the operator to add its parent directory to bind_allowlist in the rootd config.',
  });
}

/**
 * Pin a guarded directory against swaps between check and use: open it with
 * O_NOFOLLOW|O_DIRECTORY, verify the kernel's view of the open fd is exactly
 * the expected path, and hand out /proc/<pid>/fd/<n> for mount(8) to use.
 */
export async function pinDirectory(path: GuardedPath): Promise<{ procPath: string; fd: number; close(): Promise<void> }> {
  const fh = await fsp.open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const seen = await fsp.readlink(`/proc/self/fd/${fh.fd}`);
    if (seen !== path) {
      throw new Hop3Error('E_PATH_SYMLINK', `${path} moved while being checked (now ${seen})`, {
        hint: 'Something is changing the app tree concurrently; retry once it is stable.',
      });
    }
  } catch (e) {
    await fh.close();
    throw e;
  }
  return { procPath: `/proc/${process.pid}/fd/${fh.fd}`, fd: fh.fd, close: () => fh.close() };
}

/**
 * Where a pinned directory is now, as the kernel sees it (readlink of its fd),
 * as a guarded path to re-open through: after mounting onto a pinned fd,
 * re-opening this path reaches the root of the new mount. Throws
 * E_PATH_SYMLINK if the directory was deleted meanwhile.
 */
export async function pinnedPathNow(pin: { fd: number }): Promise<GuardedPath> {
  const seen = await fsp.readlink(`/proc/self/fd/${pin.fd}`);
  if (!seen.startsWith('/') || seen.endsWith(' (deleted)')) {
    throw new Hop3Error('E_PATH_SYMLINK', `a pinned directory vanished while in use (${seen})`, {
      hint: 'Something is changing the app tree concurrently; retry once it is stable.',
    });
  }
  return seen as GuardedPath;
}
