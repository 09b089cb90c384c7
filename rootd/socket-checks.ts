/**
 * Start-up checks of rootd's socket: who can reach it is decided by the
 * filesystem (a 0750 root:<group> directory, a 0660 root:<group> socket), so
 * rootd refuses to start unless both are exactly that. The parsers here are
 * pure (tested with tables); the check functions only stat.
 */
import { lstatSync, readFileSync, unlinkSync, type Stats } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { defineErrors, Hop3Error } from '../shared-protocol/errors.ts';

/** Start-up refusals of the listener (these never go over the wire). */
export const LISTENER_ERRORS = defineErrors({
  E_SOCKET_UNSAFE: {
    meaning: 'The socket directory or the socket file is not what rootd requires (owner, group, mode or type), so rootd refused to start.',
    hint: 'Create the directory as root: install -d -o root -g <group> -m 0750 <dir>; rootd creates the socket itself.',
  },
  E_SOCKET_IN_USE: {
    meaning: 'Another process is listening on the socket path (probably another hop3-rootd).',
    hint: 'Stop the other daemon first; rootd only removes a stale socket nobody listens on.',
  },
  E_GROUP_UNKNOWN: {
    meaning: 'The socket group named in the config does not exist in /etc/group.',
    hint: 'Create the group (the hop3-server user\'s group) or give its numeric gid in socket.group.',
  },
  E_PEERCRED_UNAVAILABLE: {
    meaning: 'The SO_PEERCRED addon could not be loaded, so peers cannot be authenticated; rootd refused to start.',
    hint: 'Run `npm ci` (or `npm run build:native`) in the install directory to build build/Release/peercred.node.',
  },
});

export const SOCKET_DIR_MODE = 0o750;
export const SOCKET_MODE = 0o660;

/** Parse /etc/group text into name → gid (malformed lines are skipped). */
export function parseGroupFile(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 3) continue;
    const [name, , gidText] = fields;
    if (!name || !gidText || !/^\d{1,10}$/.test(gidText)) continue;
    const gid = Number(gidText);
    if (gid > 0xffffffff) continue;
    if (!out.has(name)) out.set(name, gid);
  }
  return out;
}

/** The gid of the configured socket group: a number is taken as is, a name is looked up. */
export function resolveGroup(group: string | number, groupFileText: string): number {
  if (typeof group === 'number') return group;
  const gid = parseGroupFile(groupFileText).get(group);
  if (gid === undefined) {
    throw new Hop3Error('E_GROUP_UNKNOWN', `socket group "${group}" is not in /etc/group`, { hint: LISTENER_ERRORS.E_GROUP_UNKNOWN.hint });
  }
  return gid;
}

export function resolveGroupFromSystem(group: string | number, groupFile = '/etc/group'): number {
  return resolveGroup(group, typeof group === 'number' ? '' : readFileSync(groupFile, 'utf8'));
}

/** One row of /proc/net/unix that has a path: the socket inode and its bound path. */
export interface UnixSocketRow {
  readonly inode: number;
  readonly path: string;
}

/** Parse /proc/net/unix (header line, then `Num RefCount Protocol Flags Type St Inode [Path]`). */
export function parseProcNetUnix(text: string): UnixSocketRow[] {
  const rows: UnixSocketRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^\s*[0-9a-f]+:\s+[0-9A-F]+\s+[0-9A-F]+\s+[0-9A-F]+\s+[0-9A-F]+\s+[0-9A-F]+\s+(\d+)\s+(\/.*)$/.exec(line);
    if (m) rows.push({ inode: Number(m[1]), path: m[2]! });
  }
  return rows;
}

function octal(mode: number): string {
  return '0' + (mode & 0o7777).toString(8);
}

function unsafe(message: string, hint: string): Hop3Error {
  return new Hop3Error('E_SOCKET_UNSAFE', message, { hint });
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * The socket's directory must be a real directory (not a symlink) owned by
 * root, group = the socket group, mode exactly 0750; every ancestor must be
 * owned by root and not writable by group/other unless sticky (like /tmp), so
 * nobody else can swap the directory.
 */
export function checkSocketDir(dir: string, gid: number): void {
  const fix = `install -d -o root -g ${gid} -m 0750 ${dir}`;
  const st = lstatOrNull(dir);
  if (!st) throw unsafe(`socket directory ${dir} does not exist`, fix);
  if (st.isSymbolicLink()) throw unsafe(`socket directory ${dir} is a symbolic link`, `Use a real directory: ${fix}`);
  if (!st.isDirectory()) throw unsafe(`socket directory ${dir} is not a directory`, fix);
  if (st.uid !== 0) throw unsafe(`socket directory ${dir} is owned by uid ${st.uid}, not root`, `chown root ${dir}`);
  if (st.gid !== gid) throw unsafe(`socket directory ${dir} has group ${st.gid}, not the socket group ${gid}`, `chgrp ${gid} ${dir}`);
  if ((st.mode & 0o7777) !== SOCKET_DIR_MODE) {
    throw unsafe(`socket directory ${dir} has mode ${octal(st.mode)}, not 0750`, `chmod 0750 ${dir}`);
  }
  for (let p = dirname(dir), prev = dir; p !== prev; prev = p, p = dirname(p)) {
    const a = lstatSync(p);
    if (a.isSymbolicLink() || !a.isDirectory()) throw unsafe(`${p} (above the socket directory) is not a real directory`, 'Use a socket path without symlinks.');
    const sticky = (a.mode & 0o1000) !== 0;
    if (a.uid !== 0) throw unsafe(`${p} (above the socket directory) is owned by uid ${a.uid}, not root`, 'Put the socket under a root-owned path such as /run/hop3.');
    if ((a.mode & 0o022) !== 0 && !sticky) {
      throw unsafe(`${p} (above the socket directory) is writable by group or other (mode ${octal(a.mode)})`, 'Put the socket under a path only root can change, such as /run/hop3.');
    }
  }
}

/** Whether something accepts connections on the socket path (a live daemon). */
function probeListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

/**
 * Make room for the socket: nothing there is fine; a stale socket (nobody
 * listening) is removed; a live socket, a regular file, a directory or a
 * symlink stop rootd.
 */
export async function clearSocketPath(path: string): Promise<void> {
  const st = lstatOrNull(path);
  if (!st) return;
  if (!st.isSocket()) {
    const kind = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : st.isFile() ? 'a regular file' : 'not a socket';
    throw unsafe(`${path} exists and is ${kind}; rootd only replaces a stale socket`, `Remove ${path} if it is not needed, or choose another socket.path.`);
  }
  if (await probeListening(path)) {
    throw new Hop3Error('E_SOCKET_IN_USE', `something is already listening on ${path}`, { hint: LISTENER_ERRORS.E_SOCKET_IN_USE.hint });
  }
  unlinkSync(path);
}

/** The socket file must be a socket, owned by root:<gid>, mode exactly 0660. */
export function checkSocketFile(path: string, gid: number): void {
  const st = lstatOrNull(path);
  if (!st) throw unsafe(`socket ${path} does not exist after listen`, 'Check that nothing removes files in the socket directory.');
  if (!st.isSocket()) throw unsafe(`${path} is not a socket`, 'Check the socket path.');
  if (st.uid !== 0 || st.gid !== gid) {
    throw unsafe(`socket ${path} is owned by ${st.uid}:${st.gid}, not 0:${gid}`, `chown 0:${gid} ${path}`);
  }
  if ((st.mode & 0o7777) !== SOCKET_MODE) throw unsafe(`socket ${path} has mode ${octal(st.mode)}, not 0660`, `chmod 0660 ${path}`);
}
