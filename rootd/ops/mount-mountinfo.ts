/**
 * A parser for /proc/self/mountinfo (proc(5)) and pure queries over it. The
 * kernel escapes space, tab, newline and backslash in paths as \ooo octal
 * (\040, \011, \012, \134); decodeMountinfoField undoes any \ooo escape.
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)         (6)       (7...)   (8) (9)  (10)      (11)
 */

export interface MountinfoEntry {
  readonly id: number;
  readonly parentId: number;
  readonly majorMinor: string;
  /** Path inside the source filesystem that is the root of this mount (a bind of a subdirectory shows it). */
  readonly root: string;
  readonly mountPoint: string;
  /** Per-mount options: rw|ro, nosuid, nodev, noexec, relatime, ... */
  readonly mountOptions: readonly string[];
  readonly optionalFields: readonly string[];
  readonly fsType: string;
  readonly source: string;
  /** Per-superblock options, e.g. size=64k,mode=750 for tmpfs. */
  readonly superOptions: readonly string[];
}

export class MountinfoParseError extends Error {
  override readonly name = 'MountinfoParseError';
}

/** Decode the kernel's \ooo octal escapes (mangle() in fs/proc_namespace.c). */
export function decodeMountinfoField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

const splitOptions = (s: string): string[] => (s === '' ? [] : s.split(','));

export function parseMountinfoLine(line: string, lineNo = 0): MountinfoEntry {
  const fields = line.split(' ');
  const sep = fields.indexOf('-', 6);
  const bad = (why: string): never => {
    throw new MountinfoParseError(`mountinfo line ${lineNo}: ${why}: ${JSON.stringify(line.slice(0, 200))}`);
  };
  if (fields.length < 10 || sep < 6 || fields.length < sep + 3) bad('too few fields');
  const [idS, parentS, majorMinor, root, mountPoint, mountOpts] = fields as [string, string, string, string, string, string];
  const id = Number(idS);
  const parentId = Number(parentS);
  if (!/^\d+$/.test(idS) || !/^\d+$/.test(parentS)) bad('mount ids are not integers');
  if (!/^\d+:\d+$/.test(majorMinor)) bad('bad major:minor');
  return {
    id,
    parentId,
    majorMinor,
    root: decodeMountinfoField(root),
    mountPoint: decodeMountinfoField(mountPoint),
    mountOptions: splitOptions(mountOpts),
    optionalFields: fields.slice(6, sep),
    fsType: decodeMountinfoField(fields[sep + 1] ?? ''),
    source: decodeMountinfoField(fields[sep + 2] ?? ''),
    superOptions: splitOptions(fields.slice(sep + 3).join(' ')),
  };
}

/** Parse the whole file; throws MountinfoParseError on a malformed line (rootd must not guess). */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const out: MountinfoEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    out.push(parseMountinfoLine(line, i + 1));
  });
  return out;
}

/**
 * The mounts whose mount point is exactly `path`, bottom first: a mount
 * stacked on another at the same point has the lower one as its parent.
 */
export function mountsAt(entries: readonly MountinfoEntry[], path: string): MountinfoEntry[] {
  const here = entries.filter((e) => e.mountPoint === path);
  const ids = new Set(here.map((e) => e.id));
  const bottom = here.filter((e) => !ids.has(e.parentId));
  const ordered: MountinfoEntry[] = [];
  let cur = bottom[0];
  while (cur !== undefined && ordered.length < here.length) {
    ordered.push(cur);
    const id: number = cur.id;
    cur = here.find((e) => e.parentId === id);
  }
  // Anything not on the chain (should not happen) is appended in file order.
  for (const e of here) if (!ordered.includes(e)) ordered.push(e);
  return ordered;
}

/** Value of key=value in an option list, or undefined. */
export function optionValue(options: readonly string[], key: string): string | undefined {
  const hit = options.find((o) => o.startsWith(key + '='));
  return hit === undefined ? undefined : hit.slice(key.length + 1);
}

/** tmpfs prints size=<n>k (or m/g on some kernels); bytes, or undefined when absent/unparsable. */
export function tmpfsSizeBytes(superOptions: readonly string[]): number | undefined {
  const v = optionValue(superOptions, 'size');
  if (v === undefined) return undefined;
  const m = /^(\d+)([kmg]?)$/i.exec(v);
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1);
}

/** True when `path` is strictly below `dir` (string prefix on a "/" boundary). */
export function isStrictlyUnder(path: string, dir: string): boolean {
  const d = dir.endsWith('/') ? dir : dir + '/';
  return path.length > d.length && path.startsWith(d);
}
