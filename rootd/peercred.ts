/**
 * Peer authentication for the rootd socket: SO_PEERCRED.
 *
 * Mechanism. For a connected AF_UNIX stream socket, Linux records the
 * credentials (pid, uid, gid) the peer process had when it called connect(2).
 * `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)` returns them; the peer cannot
 * choose or forge them (they come from the kernel, not from anything the peer
 * sends). Node has no API for this option, so rootd ships a tiny N-API addon,
 * rootd/native/peercred.c (about 60 lines, only <node_api.h>), built by
 * node-gyp from binding.gyp at the repository root during `npm ci` into
 * build/Release/peercred.node. It exports one function: peercred(fd) →
 * {uid, gid, pid}.
 *
 * The fd of an accepted connection is read from `socket._handle.fd`: Node's
 * libuv Pipe handle exposes the OS descriptor there on Unix, but the property
 * is not part of Node's public typings, hence the narrow structural type and
 * runtime checks below (a non-integer or negative fd is refused, never
 * guessed).
 *
 * Fail closed: if the addon cannot be loaded, `loadPeerCred()` throws
 * E_PEERCRED_UNAVAILABLE and rootd refuses to start; there is no
 * unauthenticated fallback. If reading the credentials of one connection
 * fails, that connection is refused and logged.
 *
 * Notes on what the uid means: it is the connecting process's effective uid
 * at connect time. A process that connects and then hands the fd to another
 * process keeps the original identity, which is the usual and intended
 * semantics (the socket's 0660 mode and 0750 directory already limit who can
 * connect at all). The pid is informational (for the op log): it may be
 * reused after the peer exits.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { Hop3Error } from '../shared-protocol/errors.ts';
import type { PeerInfo } from './ops/types.ts';

interface PeerCredAddon {
  peercred(fd: number): { uid: number; gid: number; pid: number };
}

export type PeerCredFn = (socket: Socket) => PeerInfo;

/** The part of Node's internal Pipe handle rootd relies on (undocumented, so checked at run time). */
interface PipeHandleWithFd {
  readonly fd?: unknown;
}

/** The OS descriptor of an accepted socket, or an error if Node does not expose one. */
export function socketFd(socket: Socket): number {
  const handle = (socket as unknown as { _handle?: PipeHandleWithFd | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
    throw new Hop3Error('E_UNAUTHORIZED', 'cannot read the descriptor of the connection to check its peer');
  }
  return fd;
}

function isCred(v: unknown): v is PeerInfo {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return ['uid', 'gid', 'pid'].every((k) => Number.isInteger(o[k]) && (o[k] as number) >= 0);
}

let cached: PeerCredFn | null = null;

/**
 * Load the addon once; throws E_PEERCRED_UNAVAILABLE (rootd then refuses to
 * start) when it is missing or broken.
 */
export function loadPeerCred(): PeerCredFn {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let addon: PeerCredAddon;
  try {
    addon = require('../build/Release/peercred.node') as PeerCredAddon;
  } catch (e) {
    throw new Hop3Error('E_PEERCRED_UNAVAILABLE', `the SO_PEERCRED addon build/Release/peercred.node cannot be loaded: ${(e as Error).message}`, {
      hint: 'Build it with `npm ci` (or `npm run build:native`); rootd never runs without peer authentication.',
      cause: e,
    });
  }
  if (typeof addon.peercred !== 'function') {
    throw new Hop3Error('E_PEERCRED_UNAVAILABLE', 'build/Release/peercred.node does not export peercred()', {
      hint: 'Rebuild it with `npm run build:native`.',
    });
  }
  const fn: PeerCredFn = (socket) => {
    const cred: unknown = addon.peercred(socketFd(socket));
    if (!isCred(cred)) throw new Hop3Error('E_UNAUTHORIZED', 'the kernel returned no usable peer credentials');
    return { uid: cred.uid, gid: cred.gid, pid: cred.pid };
  };
  cached = fn;
  return fn;
}
