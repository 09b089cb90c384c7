/**
 * Pure mount policy: record identity, overlap and BindClaim checks, how a
 * mountinfo entry differs from a record, and which mounts under the app trees
 * rootd does not own. No I/O here; mount.ts and mount-kernel.ts do that.
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { APP_NAME_PATTERN } from '../../shared-protocol/ops/fields.ts';
import { MAX_MOUNTS_PER_APP, type MountRecord } from '../../shared-protocol/ops/mount.ts';
import { targetSegments } from '../path-guard.ts';
import { BIND_FLAGS, TMPFS_FLAGS } from './mount-argv.ts';
import { isStrictlyUnder, mountsAt, tmpfsSizeBytes, type MountinfoEntry } from './mount-mountinfo.ts';

const APP_NAME_RE = new RegExp(APP_NAME_PATTERN);

/** "a//b/./c/" → "a/b/c" (throws E_PATH_OUTSIDE_ROOT on "..", absolute, NUL). */
export function normalizeTarget(target: string): string {
  return targetSegments(target).join('/');
}

/** The mount point rootd derives for a record (the path guard re-checks it before use). */
export function recordPath(appRoot: string, r: Pick<MountRecord, 'app' | 'target'>): string {
  return join(appRoot, r.app, 'src', ...r.target.split('/'));
}

export function sameRecord(a: MountRecord, b: MountRecord): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
function canonical(r: MountRecord): unknown[] {
  return r.kind === 'tmpfs'
    ? [r.kind, r.app, r.target, r.size_bytes, r.mode]
    : [r.kind, r.app, r.target, r.source, r.read_only];
}

const within = (a: string, b: string): boolean => a === b || isStrictlyUnder(a, b);

/**
 * Decide whether `next` may be recorded next to `existing`:
 *  - 'present': the identical record is already there (idempotent repeat);
 *  - 'new': it may be added;
 *  - otherwise a typed error (exists / overlap / limit / bind claim).
 */
export function admitRecord(existing: readonly MountRecord[], next: MountRecord): 'present' | 'new' {
  const same = existing.find((r) => r.app === next.app && r.target === next.target);
  if (same !== undefined) {
    if (sameRecord(same, next)) return 'present';
    throw new Hop3Error('E_MOUNT_EXISTS', `${next.app}:${next.target} already has a different ${same.kind} mount recorded`, {
      hint: 'Unmount it first with mount.unmount, then mount again with the new parameters.',
    });
  }
  const t = '/' + next.target;
  for (const r of existing) {
    if (r.app !== next.app) continue;
    const o = '/' + r.target;
    if (isStrictlyUnder(t, o) || isStrictlyUnder(o, t)) {
      throw new Hop3Error('E_MOUNT_OVERLAP', `${next.app}:${next.target} overlaps the recorded mount ${r.app}:${r.target}`);
    }
  }
  if (existing.filter((r) => r.app === next.app).length >= MAX_MOUNTS_PER_APP) {
    throw new Hop3Error('E_MOUNT_LIMIT', `${next.app} already has ${MAX_MOUNTS_PER_APP} mounts recorded`);
  }
  if (next.kind === 'bind') {
    for (const r of existing) {
      if (r.kind !== 'bind' || r.app === next.app) continue;
      if (within(next.source, r.source) || within(r.source, next.source)) {
        throw new Hop3Error('E_BIND_CLAIMED', `bind source ${next.source} is already claimed by app ${r.app} (${r.source})`, {
          hint: 'Two apps may not share a bind source; give each app its own directory.',
        });
      }
    }
  }
  return 'new';
}

/** How the top mount at a recorded path differs from the record (empty list: it matches). */
export function mountMismatches(r: MountRecord, top: MountinfoEntry): string[] {
  const out: string[] = [];
  const has = (o: string): boolean => top.mountOptions.includes(o);
  if (r.kind === 'tmpfs') {
    if (top.fsType !== 'tmpfs') out.push(`fstype is ${top.fsType}, not tmpfs`);
    for (const f of TMPFS_FLAGS) if (!has(f)) out.push(`missing ${f}`);
    const size = tmpfsSizeBytes(top.superOptions);
    if (size !== r.size_bytes) out.push(`size is ${size ?? 'unset'}, not ${r.size_bytes}`);
  } else {
    for (const f of BIND_FLAGS) if (!has(f)) out.push(`missing ${f}`);
    const want = r.read_only ? 'ro' : 'rw';
    if (!has(want)) out.push(`not ${want}`);
  }
  return out;
}

export interface UnownedMount {
  readonly path: string;
  readonly app: string;
  /** Segments below <APP_ROOT>/<app>/src/. */
  readonly segments: readonly string[];
  /** How many mounts are stacked there. */
  readonly count: number;
}

/**
 * Mounts strictly under <APP_ROOT>/<app>/src/ (valid app names only) that no
 * record names, deepest first. Nothing outside those trees is ever returned.
 */
export function unownedMounts(entries: readonly MountinfoEntry[], records: readonly MountRecord[], appRoot: string): UnownedMount[] {
  const owned = new Set(records.map((r) => recordPath(appRoot, r)));
  const seen = new Map<string, UnownedMount>();
  for (const e of entries) {
    if (!isStrictlyUnder(e.mountPoint, appRoot) || owned.has(e.mountPoint)) continue;
    const rel = e.mountPoint.slice((appRoot.endsWith('/') ? appRoot : appRoot + '/').length).split('/');
    const [app, src, ...segments] = rel;
    if (app === undefined || !APP_NAME_RE.test(app) || src !== 'src' || segments.length === 0) continue;
    if (segments.some((s) => s === '' || s === '.' || s === '..')) continue;
    const prev = seen.get(e.mountPoint);
    seen.set(e.mountPoint, { path: e.mountPoint, app, segments, count: (prev?.count ?? 0) + 1 });
  }
  return [...seen.values()].sort((a, b) => b.segments.length - a.segments.length || a.path.localeCompare(b.path));
}

/** Top mount at path and how many sit beneath it. */
export function topMount(entries: readonly MountinfoEntry[], path: string): { top: MountinfoEntry | undefined; stacked: number } {
  const at = mountsAt(entries, path);
  return { top: at[at.length - 1], stacked: at.length };
}

/**
 * A bind source may not contain APP_ROOT nor lie inside it, whatever the
 * allow-list says: that would hand one app another app's tree (or its own
 * tree a second time, looping back into src/).
 */
export function assertSourceOutsideAppRoot(source: string, appRoot: string): void {
  if (within(source, appRoot) || within(appRoot, source)) {
    throw new Hop3Error('E_BIND_NOT_ALLOWED', `bind source ${source} overlaps the app root ${appRoot}`, {
      hint: 'Bind sources must be operator directories outside the app root.',
    });
  }
}
