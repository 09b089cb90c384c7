/**
 * Pure argv builders for mount(8) / umount(8) (util-linux). Every path given
 * here is a pinned /proc/<pid>/fd/<n> path (or a name under a pinned parent),
 * and --no-canonicalize stops util-linux from resolving it into a string path
 * a symlink swap could redirect. No shell, no caller text in options: every
 * option is built from validated integers and fixed words.
 */

/** The source name tmpfs mounts show in mountinfo, so operators can spot rootd's mounts. */
export const TMPFS_SOURCE = 'hop3-tmpfs';

/** Per-mount flags rootd always sets. tmpfs is scratch space: noexec too (see docs/rootd.md). */
export const TMPFS_FLAGS = ['nosuid', 'nodev', 'noexec'] as const;
export const BIND_FLAGS = ['nosuid', 'nodev'] as const;

export interface TmpfsArgs {
  /** /proc/<pid>/fd/<n> of the pinned target directory. */
  readonly targetProc: string;
  readonly sizeBytes: number;
  /** 0 .. 0o1777 */
  readonly mode: number;
  /** Owner of the tmpfs root: rootd copies the target directory's owner. */
  readonly uid: number;
  readonly gid: number;
}

const octalMode = (mode: number): string => mode.toString(8).padStart(4, '0');

function assertUint(name: string, v: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new RangeError(`${name} out of range: ${v}`);
}

export function tmpfsMountArgv(a: TmpfsArgs): string[] {
  assertUint('size', a.sizeBytes, Number.MAX_SAFE_INTEGER);
  assertUint('mode', a.mode, 0o1777);
  assertUint('uid', a.uid, 0xffff_fffe);
  assertUint('gid', a.gid, 0xffff_fffe);
  const opts = [...TMPFS_FLAGS, `size=${a.sizeBytes}`, `mode=${octalMode(a.mode)}`, `uid=${a.uid}`, `gid=${a.gid}`];
  return ['--no-canonicalize', '-t', 'tmpfs', '-o', opts.join(','), TMPFS_SOURCE, a.targetProc];
}

/** Re-assert the per-mount flags and the size of an existing tmpfs (reconcile). */
export function tmpfsRemountArgv(targetProc: string, sizeBytes: number): string[] {
  assertUint('size', sizeBytes, Number.MAX_SAFE_INTEGER);
  return ['--no-canonicalize', '-o', ['remount', ...TMPFS_FLAGS, `size=${sizeBytes}`].join(','), targetProc];
}

/**
 * Step 1 of a bind: the plain bind. Flags cannot go here: util-linux 2.38
 * applies them with a second remount on the same target string, which for a
 * /proc/<pid>/fd/<n> target still names the directory *under* the new mount
 * and fails. Step 2 (bindRemountArgv) goes through a freshly pinned fd.
 */
export function bindMountArgv(sourceProc: string, targetProc: string): string[] {
  return ['--no-canonicalize', '--bind', sourceProc, targetProc];
}

/** Step 2: set exactly nosuid,nodev and ro|rw on the bind (MS_REMOUNT|MS_BIND). */
export function bindRemountArgv(mountRootProc: string, readOnly: boolean): string[] {
  return ['--no-canonicalize', '-o', ['remount', 'bind', ...BIND_FLAGS, readOnly ? 'ro' : 'rw'].join(','), mountRootProc];
}

/** umount(8): normal, or lazy (-l, MNT_DETACH). */
export function umountArgv(path: string, lazy: boolean): string[] {
  return lazy ? ['--no-canonicalize', '-l', path] : ['--no-canonicalize', path];
}

/** util-linux (LANG=C) says "target is busy" for EBUSY. */
export function isBusyMessage(stderr: string): boolean {
  return /target is busy|device is busy|\bEBUSY\b/i.test(stderr);
}
