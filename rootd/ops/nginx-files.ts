/**
 * Files in the nginx site dir: paths come from the path guard (no symlinks),
 * writes are atomic and durable (tmp → fsync → rename → fsync dir), reads
 * never follow links, and the marker header tells rootd's files apart from
 * the operator's.
 */
import { constants, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertAppName, guardUnder, type GuardedPath } from '../path-guard.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { APP_NAME_PATTERN } from '../../shared-protocol/ops/fields.ts';
import { DEFAULT_MARKER, DEFAULT_SITE_FILE, MARKER_PREFIX } from './nginx-render.ts';

/** Present while a swap is in flight; its presence at start makes reconcile test + reload. */
export const PENDING_FILE = '.hop3-reload-pending';

export async function siteFilePath(siteDir: string, app: string): Promise<GuardedPath> {
  assertAppName(app);
  return (await guardUnder(siteDir, [`${app}.conf`])).path;
}

export async function defaultFilePath(siteDir: string): Promise<GuardedPath> {
  return (await guardUnder(siteDir, [DEFAULT_SITE_FILE])).path;
}

export async function pendingPath(siteDir: string): Promise<GuardedPath> {
  return (await guardUnder(siteDir, [PENDING_FILE])).path;
}

/** Read a regular file without following a symlink; null if absent. */
export async function readIfExists(path: string): Promise<Buffer | null> {
  let fh;
  try {
    fh = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new Hop3Error('E_PATH_SYMLINK', `${path} is a symbolic link`);
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Hop3Error('E_PATH_OUTSIDE_ROOT', `${path} is not a regular file`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Replace `path` with `data` atomically and durably (mode 0644: nginx config, no secrets). */
export async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await fsp.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** Remove `path` if present (durably); returns whether it existed. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await fsp.unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  await fsyncDir(dirname(path));
  return true;
}

export type Marker = { kind: 'default' } | { kind: 'site'; app: string };

const SITE_MARKER_RE = new RegExp(`^${MARKER_PREFIX}app=(${APP_NAME_PATTERN.slice(1, -1)})$`);

/** Parse the first line of a file: rootd's marker, or null (not rootd's file). */
export function parseMarker(firstLine: string): Marker | null {
  if (firstLine === DEFAULT_MARKER) return { kind: 'default' };
  const m = SITE_MARKER_RE.exec(firstLine);
  return m?.[1] !== undefined ? { kind: 'site', app: m[1] } : null;
}

/** Regular files in the site dir that carry rootd's marker (symlinks and others are never ours). */
export async function listMarkedFiles(siteDir: string): Promise<Array<{ name: string; path: string; marker: Marker }>> {
  const out: Array<{ name: string; path: string; marker: Marker }> = [];
  for (const ent of await fsp.readdir(siteDir, { withFileTypes: true })) {
    if (!ent.isFile()) continue;
    const path = join(siteDir, ent.name);
    let fh;
    try {
      fh = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      continue;
    }
    try {
      const buf = Buffer.alloc(256);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
      const marker = parseMarker(first);
      if (marker !== null) out.push({ name: ent.name, path, marker });
    } finally {
      await fh.close();
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
