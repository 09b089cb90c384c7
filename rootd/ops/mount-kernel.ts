/**
 * The kernel-facing half of mount.*: make, inspect, re-assert and remove one
 * mount, always through pinned directory fds (/proc/<pid>/fd/<n>) so a
 * symlink or rename swapped in after the path guard cannot redirect it.
 *
 * "Is this directory a mount root?" is answered by mount ids (fdinfo mnt_id),
 * not by comparing path strings: an fd opened on a mount root carries the id
 * of the new mount, an fd on a plain directory the id of its parent mount.
 */
import { constants, promises as fsp } from 'node:fs';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { MountRecord } from '../../shared-protocol/ops/mount.ts';
import { firstLine, type Exec, type ExecResult } from '../exec.ts';
import { guardUnder, pinDirectory, pinnedPathNow, type GuardedPath } from '../path-guard.ts';
import { bindMountArgv, bindRemountArgv, isBusyMessage, tmpfsMountArgv, tmpfsRemountArgv, umountArgv } from './mount-argv.ts';
import { parseMountinfo, type MountinfoEntry } from './mount-mountinfo.ts';
import { mountMismatches } from './mount-policy.ts';

export interface MountKernel {
  readonly exec: Exec;
  readonly appRoot: string;
  /** Text of /proc/self/mountinfo (unit tests pass a fixture). */
  readonly readMountinfo: () => Promise<string>;
  /** Test seam: runs right after the target is pinned (the swap test renames the directory here). */
  readonly afterPin?: (path: string) => Promise<void>;
}

export const readProcMountinfo = (): Promise<string> => fsp.readFile('/proc/self/mountinfo', 'utf8');

type Pin = Awaited<ReturnType<typeof pinDirectory>>;

/** The mount id an open fd lives on (fdinfo "mnt_id:"). */
export async function fdMountId(fd: number): Promise<number> {
  const text = await fsp.readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
  const m = /^mnt_id:\s*(\d+)$/m.exec(text);
  if (!m) throw new Hop3Error('E_INTERNAL', `no mnt_id in /proc/self/fdinfo/${fd}`);
  return Number(m[1]);
}

/** pinDirectory with the errno cases turned into typed errors. */
export async function pinTyped(path: GuardedPath, what: 'target' | 'source'): Promise<Pin> {
  try {
    return await pinDirectory(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new Hop3Error('E_PATH_SYMLINK', `${path} became a symbolic link`, { hint: 'rootd never mounts through symlinks.' });
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw what === 'target'
        ? new Hop3Error('E_MOUNT_TARGET_INVALID', `mount target ${path} is missing or not a directory`, {
            hint: 'Create the target directory under the app src/ tree first, then retry.',
          })
        : new Hop3Error('E_MOUNT_SOURCE_INVALID', `bind source ${path} is missing or not a directory`);
    }
    throw e;
  }
}

async function entries(k: MountKernel): Promise<MountinfoEntry[]> {
  return parseMountinfo(await k.readMountinfo());
}

/** The mount whose root `pin` is, if `pin` is a mount root at exactly `path`. */
function rootEntry(all: readonly MountinfoEntry[], mntId: number, path: string): MountinfoEntry | undefined {
  const e = all.find((x) => x.id === mntId);
  return e !== undefined && e.mountPoint === path ? e : undefined;
}

async function sameInode(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fsp.stat(a), fsp.stat(b)]);
  return x.dev === y.dev && x.ino === y.ino;
}

/** How the mount rooted at `pin` differs from the record (also checks a bind shows the source directory). */
async function mismatchesAt(r: MountRecord, entry: MountinfoEntry, pin: Pin): Promise<string[]> {
  const out = mountMismatches(r, entry);
  if (r.kind === 'bind' && !(await sameInode(pin.procPath, r.source))) out.push(`bound to another directory than ${r.source}`);
  return out;
}

function failIfNonZero(r: ExecResult, code: 'E_MOUNT_FAILED', what: string): void {
  if (r.code !== 0) throw new Hop3Error(code, `${what}: ${firstLine(r)}`);
}

/** Lazy-detach the mount rooted at an open fd (used to undo a mount rootd just made). */
async function detach(k: MountKernel, pin: Pin): Promise<void> {
  await k.exec({ bin: 'umount', args: umountArgv(pin.procPath, true) });
}

export type ApplyOutcome = 'mounted' | 'already';

/**
 * Make the recorded mount at `path` (a guarded path), or confirm an identical
 * one is already there. Anything else already mounted there: E_MOUNT_EXISTS.
 * After mounting, re-opens the target (now the mount root), applies bind
 * flags through it, and verifies against mountinfo; on any mismatch the new
 * mount is detached again and E_MOUNT_VERIFY_FAILED is thrown.
 */
export async function applyRecord(k: MountKernel, r: MountRecord, path: GuardedPath, sourcePath?: GuardedPath): Promise<ApplyOutcome> {
  const target = await pinTyped(path, 'target');
  let parentMnt: number;
  try {
    await k.afterPin?.(path);
    const all = await entries(k);
    const mnt = await fdMountId(target.fd);
    const present = rootEntry(all, mnt, path);
    if (present !== undefined) {
      const diff = await mismatchesAt(r, present, target);
      if (diff.length === 0) return 'already';
      throw new Hop3Error('E_MOUNT_EXISTS', `${path} already holds a mount that differs: ${diff.join('; ')}`, {
        hint: 'Unmount it first with mount.unmount.',
      });
    }
    parentMnt = mnt;
    if (r.kind === 'tmpfs') {
      const st = await fsp.stat(target.procPath);
      const res = await k.exec({
        bin: 'mount',
        args: tmpfsMountArgv({ targetProc: target.procPath, sizeBytes: r.size_bytes, mode: r.mode, uid: st.uid, gid: st.gid }),
      });
      failIfNonZero(res, 'E_MOUNT_FAILED', `mount tmpfs on ${path}`);
    } else {
      if (sourcePath === undefined) throw new Error('applyRecord: a bind needs its guarded source');
      const source = await pinTyped(sourcePath, 'source');
      try {
        const res = await k.exec({ bin: 'mount', args: bindMountArgv(source.procPath, target.procPath) });
        failIfNonZero(res, 'E_MOUNT_FAILED', `bind ${r.source} on ${path}`);
      } finally {
        await source.close();
      }
    }
    // Where did the mount land? The pinned fd names the covered directory.
    const landed = await pinnedPathNow(target);
    await verifyNewMount(k, r, path, landed, parentMnt);
    return 'mounted';
  } finally {
    await target.close();
  }
}

async function verifyNewMount(k: MountKernel, r: MountRecord, path: GuardedPath, landed: GuardedPath, parentMnt: number): Promise<void> {
  const root = await pinTyped(landed, 'target');
  try {
    const mnt = await fdMountId(root.fd);
    const made = (await entries(k)).find((e) => e.id === mnt);
    if (made === undefined || made.parentId !== parentMnt || made.mountPoint !== landed) {
      throw new Hop3Error('E_MOUNT_VERIFY_FAILED', `the mount made on ${path} cannot be found in mountinfo (target moved during the mount?)`, {
        hint: 'Something changed the app tree concurrently; reconcile removes any leftover under src/.',
      });
    }
    const problems: string[] = [];
    if (landed !== path) problems.push(`the target moved to ${landed} during the mount`);
    if (r.kind === 'bind' && problems.length === 0) {
      const res = await k.exec({ bin: 'mount', args: bindRemountArgv(root.procPath, r.read_only) });
      if (res.code !== 0) problems.push(`remount failed: ${firstLine(res)}`);
    }
    if (problems.length === 0) {
      const now = (await entries(k)).find((e) => e.id === mnt);
      problems.push(...(now === undefined ? ['the mount vanished'] : await mismatchesAt(r, now, root)));
    }
    if (problems.length > 0) {
      await detach(k, root);
      throw new Hop3Error('E_MOUNT_VERIFY_FAILED', `mount on ${path} undone: ${problems.join('; ')}`);
    }
  } finally {
    await root.close();
  }
}

/** For a mounted record: how it differs (empty = fine), and a re-assert of its flags. */
export async function inspectRecord(k: MountKernel, r: MountRecord, path: GuardedPath): Promise<{ mounted: boolean; diff: string[] }> {
  const pin = await pinTyped(path, 'target');
  try {
    const e = rootEntry(await entries(k), await fdMountId(pin.fd), path);
    return e === undefined ? { mounted: false, diff: [] } : { mounted: true, diff: await mismatchesAt(r, e, pin) };
  } finally {
    await pin.close();
  }
}

export async function reassertFlags(k: MountKernel, r: MountRecord, path: GuardedPath): Promise<void> {
  const pin = await pinTyped(path, 'target');
  try {
    if (rootEntry(await entries(k), await fdMountId(pin.fd), path) === undefined) {
      throw new Hop3Error('E_MOUNT_FAILED', `${path} is not a mount point`);
    }
    const args = r.kind === 'tmpfs' ? tmpfsRemountArgv(pin.procPath, r.size_bytes) : bindRemountArgv(pin.procPath, r.read_only);
    failIfNonZero(await k.exec({ bin: 'mount', args }), 'E_MOUNT_FAILED', `remount ${path}`);
  } finally {
    await pin.close();
  }
}

export interface UnmountOptions {
  readonly lazy: boolean;
  /** How many stacked mounts to remove at most (default: all). */
  readonly layers?: number;
}

/**
 * Unmount whatever is mounted at <APP_ROOT>/<app>/src/<segments>. The parent
 * directory is pinned; the last name is looked up under it with O_NOFOLLOW,
 * and umount(8) is only called when that name is a mount root (its mount id
 * differs from the parent's). A mount point cannot be renamed or replaced
 * while mounted (EBUSY), so the name umount resolves is the one checked.
 * rootd never holds an fd inside the mount it removes (that would make it busy).
 */
export async function unmountPath(k: MountKernel, app: string, segments: readonly string[], opts: UnmountOptions): Promise<{ wasMounted: boolean; lazy: boolean }> {
  const base = segments[segments.length - 1];
  if (base === undefined) throw new Hop3Error('E_PATH_OUTSIDE_ROOT', 'empty target');
  const parent = await guardUnder(k.appRoot, [app, 'src', ...segments.slice(0, -1)]);
  if (!parent.exists) return { wasMounted: false, lazy: false };
  const pin = await pinTyped(parent.path, 'target');
  const child = `${pin.procPath}/${base}`;
  let wasMounted = false;
  let usedLazy = false;
  try {
    const parentMnt = await fdMountId(pin.fd);
    for (let i = 0; i < (opts.layers ?? 64); i++) {
      let childMnt: number;
      try {
        const fh = await fsp.open(child, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        try {
          childMnt = await fdMountId(fh.fd);
        } finally {
          await fh.close();
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') throw new Hop3Error('E_PATH_SYMLINK', `${parent.path}/${base} is a symbolic link`);
        if (code === 'ENOENT' || code === 'ENOTDIR') break;
        throw e;
      }
      if (childMnt === parentMnt) break;
      const res = await k.exec({ bin: 'umount', args: umountArgv(child, false) });
      if (res.code === 0) {
        wasMounted = true;
        continue;
      }
      if (!isBusyMessage(res.stderr + res.stdout)) {
        throw new Hop3Error('E_UNMOUNT_FAILED', `umount ${parent.path}/${base}: ${firstLine(res)}`);
      }
      if (!opts.lazy) {
        throw new Hop3Error('E_MOUNT_BUSY', `${parent.path}/${base} is busy: ${firstLine(res)}`, {
          hint: 'Stop the processes using it (cwd or open files inside), or retry with lazy=true to detach it now.',
        });
      }
      const lazyRes = await k.exec({ bin: 'umount', args: umountArgv(child, true) });
      if (lazyRes.code !== 0) throw new Hop3Error('E_UNMOUNT_FAILED', `umount -l ${parent.path}/${base}: ${firstLine(lazyRes)}`);
      wasMounted = true;
      usedLazy = true;
    }
  } finally {
    await pin.close();
  }
  return { wasMounted, lazy: usedLazy };
}
