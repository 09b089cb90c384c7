/**
 * rootd's socket listener.
 *
 * Who may call rootd is decided in three layers, all checked here:
 * 1. The filesystem: the socket lives in a directory that must be a real
 *    directory owned by root, group = socket.group, mode exactly 0750 (so only
 *    root and that group can even reach the socket), and the socket itself is
 *    root:<group> 0660. rootd refuses to start if either is different, and
 *    re-checks the socket after creating it.
 * 2. The kernel: each connection's peer uid is read with SO_PEERCRED
 *    (rootd/peercred.ts); only uid 0 and socket.allowed_uids may send ops.
 * 3. The op log: refused connections are logged with the peer's uid/pid.
 *
 * Socket activation (systemd): when LISTEN_PID is this process and
 * LISTEN_FDS is 1, rootd serves the inherited fd 3 instead of creating the
 * socket; it finds that socket's path in /proc/net/unix and applies the same
 * directory/owner/mode checks, so a unit with the wrong SocketMode/Group stops
 * rootd just like a wrong directory does.
 */
import { lstatSync, readFileSync, readlinkSync, unlinkSync, chmodSync, chownSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { Hop3Error } from '../shared-protocol/errors.ts';
import type { RootdConfig } from './config.ts';
import type { Dispatcher, OpLogSink } from './dispatch.ts';
import type { HealthTracker } from './health.ts';
import { handleConnection, type ConnectionHandle } from './connection.ts';
import { loadPeerCred, type PeerCredFn } from './peercred.ts';
import {
  SOCKET_MODE,
  checkSocketDir,
  checkSocketFile,
  clearSocketPath,
  parseProcNetUnix,
  resolveGroupFromSystem,
} from './socket-checks.ts';

export const DEFAULT_MAX_CONNECTIONS = 64;
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_QUEUED_LINES = 64;
const SD_LISTEN_FDS_START = 3;

export interface ListenerOptions {
  readonly maxConnections?: number;
  readonly idleTimeoutMs?: number;
  readonly maxQueuedLines?: number;
  /** Replace SO_PEERCRED (tests of the connection logic only; serve always uses the addon). */
  readonly peerCred?: PeerCredFn;
  /** Environment to look for LISTEN_PID/LISTEN_FDS in (default process.env; consumed variables are deleted). */
  readonly env?: NodeJS.ProcessEnv;
  /** The group file used to resolve a socket group name (default /etc/group). */
  readonly groupFile?: string;
}

export interface RootdListener {
  readonly path: string;
  readonly gid: number;
  /** True when the socket came from systemd socket activation. */
  readonly activated: boolean;
  connectionCount(): number;
  /** Stop accepting, let in-flight requests finish (bounded), close connections, remove the socket we created. */
  close(graceMs?: number): Promise<void>;
}

export interface ListenTarget {
  readonly config: Pick<RootdConfig, 'socket'>;
  readonly dispatcher: Pick<Dispatcher, 'handleLine'>;
  readonly oplog: OpLogSink;
  readonly health: Pick<HealthTracker, 'recordError'>;
}

/** systemd's socket-activation protocol: is fd 3 ours? Throws on a malformed handover. */
export function activationFd(env: NodeJS.ProcessEnv, pid: number): number | null {
  if (env['LISTEN_PID'] === undefined || env['LISTEN_PID'] !== String(pid)) return null;
  if (env['LISTEN_FDS'] !== '1') {
    throw new Hop3Error('E_SOCKET_UNSAFE', `socket activation passed LISTEN_FDS=${String(env['LISTEN_FDS'])}; rootd expects exactly one socket`, {
      hint: 'The rootd .socket unit must declare exactly one ListenStream=.',
    });
  }
  return SD_LISTEN_FDS_START;
}

/** The filesystem path an inherited Unix socket fd is bound to (via /proc/self/fd and /proc/net/unix). */
export function boundPathOfFd(fd: number): string {
  const link = readlinkSync(`/proc/self/fd/${fd}`);
  const m = /^socket:\[(\d+)\]$/.exec(link);
  if (!m) throw new Hop3Error('E_SOCKET_UNSAFE', `inherited fd ${fd} is not a socket (${link})`, { hint: 'Check the rootd .socket unit.' });
  const inode = Number(m[1]);
  const row = parseProcNetUnix(readFileSync('/proc/net/unix', 'utf8')).find((r) => r.inode === inode);
  if (!row) throw new Hop3Error('E_SOCKET_UNSAFE', `inherited fd ${fd} is not a bound Unix socket`, { hint: 'The rootd .socket unit must use ListenStream=<path>.' });
  return row.path;
}

function listenOn(server: Server, target: { path: string } | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if ('path' in target) {
      // Create the socket 0660 from the start (no window with a wider mode).
      const old = process.umask(0o117);
      try {
        server.listen({ path: target.path, exclusive: true }, done);
      } finally {
        process.umask(old);
      }
    } else {
      server.listen({ fd: target.fd, exclusive: true }, done);
    }
  });
}

export async function listen(rootd: ListenTarget, opts: ListenerOptions = {}): Promise<RootdListener> {
  const sock = rootd.config.socket;
  const peerCred = opts.peerCred ?? loadPeerCred();
  const gid = resolveGroupFromSystem(sock.group, opts.groupFile);
  const env = opts.env ?? process.env;
  const fd = activationFd(env, process.pid);

  checkSocketDir(dirname(sock.path), gid);
  if (fd !== null) {
    const bound = boundPathOfFd(fd);
    if (bound !== sock.path) {
      throw new Hop3Error('E_SOCKET_UNSAFE', `the activated socket is bound to ${bound}, but the config says ${sock.path}`, {
        hint: 'Make ListenStream= in the .socket unit equal socket.path in the rootd config.',
      });
    }
    checkSocketFile(sock.path, gid);
    delete env['LISTEN_PID'];
    delete env['LISTEN_FDS'];
    delete env['LISTEN_FDNAMES'];
  } else {
    await clearSocketPath(sock.path);
  }

  const handles = new Map<ConnectionHandle, Socket>();
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket: Socket) => {
    const h = handleConnection(socket, {
      dispatcher: rootd.dispatcher,
      oplog: rootd.oplog,
      health: rootd.health,
      peerCred,
      allowedUids: sock.allowed_uids,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxQueuedLines: opts.maxQueuedLines ?? DEFAULT_MAX_QUEUED_LINES,
    });
    handles.set(h, socket);
    socket.once('close', () => handles.delete(h));
  });
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // A server-level error after listening (e.g. EMFILE on accept) must not crash rootd.
  server.on('error', () => undefined);

  await listenOn(server, fd !== null ? { fd } : { path: sock.path });
  let ino = 0;
  if (fd === null) {
    try {
      chmodSync(sock.path, SOCKET_MODE);
      chownSync(sock.path, 0, gid);
      checkSocketFile(sock.path, gid);
      ino = lstatSync(sock.path).ino;
    } catch (e) {
      await new Promise<void>((r) => server.close(() => r()));
      throw e;
    }
  }

  let closed: Promise<void> | null = null;
  const close = (graceMs = 5000): Promise<void> => {
    closed ??= (async () => {
      const serverClosed = new Promise<void>((r) => server.close(() => r()));
      for (const h of handles.keys()) h.shutdown();
      const deadline = Date.now() + graceMs;
      while (handles.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      // Whatever is left is stuck on a slow client: cut it.
      for (const s of handles.values()) s.destroy();
      await Promise.race([serverClosed, new Promise((r) => setTimeout(r, 1000))]);
      if (fd === null) {
        try {
          if (lstatSync(sock.path).ino === ino) unlinkSync(sock.path);
        } catch {
          /* already gone */
        }
      }
    })();
    return closed;
  };

  return { path: sock.path, gid, activated: fd !== null, connectionCount: () => handles.size, close };
}
