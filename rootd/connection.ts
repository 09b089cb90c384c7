/**
 * One client connection: authenticate the peer (SO_PEERCRED), then turn
 * request lines into reply lines, in order.
 *
 * - The peer's uid must be 0 or listed in socket.allowed_uids; anyone else
 *   gets one E_UNAUTHORIZED line, the refusal is written to the op log (with
 *   the peer's uid/pid), and the connection is closed before any byte it sent
 *   is read.
 * - Lines are at most 64 KiB. An over-long line gets E_LINE_TOO_LONG and the
 *   connection is closed (the stream cannot be resynchronized). A line that
 *   is not valid UTF-8 gets E_BAD_JSON; empty lines are ignored.
 * - Pipelining: a client may send many lines without waiting; they are
 *   handled one at a time and replied to in order. Reading pauses while 64
 *   lines are queued or while the client does not read its replies.
 * - Half-close: after the client ends its side, queued lines are still
 *   answered (an unterminated last line too), then the connection is ended.
 * - Idle connections (no bytes either way, nothing in progress) are closed.
 * Nothing a client does can throw out of here: socket errors only end that
 * connection.
 */
import type { Socket } from 'node:net';
import { MAX_LINE_BYTES, PROTOCOL_VERSION } from '../shared-protocol/ops/envelope.ts';
import { COMMON_ERRORS, isHop3Error } from '../shared-protocol/errors.ts';
import { LineReader, type LineEvent } from './line-reader.ts';
import type { PeerCredFn } from './peercred.ts';
import type { Dispatcher, OpLogSink } from './dispatch.ts';
import type { HealthTracker } from './health.ts';
import type { PeerInfo } from './ops/types.ts';

export interface ConnectionDeps {
  readonly dispatcher: Pick<Dispatcher, 'handleLine'>;
  readonly oplog: OpLogSink;
  readonly health: Pick<HealthTracker, 'recordError'>;
  readonly peerCred: PeerCredFn;
  /** uids allowed besides root. */
  readonly allowedUids: readonly number[];
  readonly idleTimeoutMs: number;
  readonly maxQueuedLines: number;
}

export interface ConnectionHandle {
  /** True while a request is being handled or lines are queued. */
  busy(): boolean;
  /** Finish what is queued, then end the connection. */
  shutdown(): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function errorLine(code: keyof typeof COMMON_ERRORS, message: string): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, id: null, ok: false, error: { code, message, hint: COMMON_ERRORS[code].hint } }) + '\n';
}

export function isAuthorized(uid: number, allowedUids: readonly number[]): boolean {
  return uid === 0 || allowedUids.includes(uid);
}

/** Set up a freshly accepted socket; returns a handle the listener uses to drain it on close. */
export function handleConnection(socket: Socket, deps: ConnectionDeps): ConnectionHandle {
  socket.on('error', () => socket.destroy());
  let peer: PeerInfo | null = null;
  let credError = '';
  try {
    peer = deps.peerCred(socket);
  } catch (e) {
    credError = isHop3Error(e) || e instanceof Error ? e.message : String(e);
  }
  if (!peer || !isAuthorized(peer.uid, deps.allowedUids)) {
    refuseConnection(socket, deps, peer, credError);
    return { busy: () => false, shutdown: () => socket.destroy() };
  }
  return serve(socket, deps, peer);
}

function refuseConnection(socket: Socket, deps: ConnectionDeps, peer: PeerInfo | null, credError: string): void {
  socket.pause();
  const message = peer ? `uid ${peer.uid} may not call hop3-rootd` : `peer credentials unavailable: ${credError}`;
  deps.health.recordError('(connect)', 'E_UNAUTHORIZED', message);
  const logged = deps.oplog.append({ op: '(connect)', id: null, peer, outcome: 'refused', code: 'E_UNAUTHORIZED', message });
  // The refusal is durable before the peer learns of it; a failing log still refuses.
  logged
    .catch(() => undefined)
    .finally(() => {
      if (!socket.destroyed) socket.end(errorLine('E_UNAUTHORIZED', message));
      setTimeout(() => socket.destroy(), 1000).unref();
    });
}

function serve(socket: Socket, deps: ConnectionDeps, peer: PeerInfo): ConnectionHandle {
  const reader = new LineReader(MAX_LINE_BYTES);
  const queue: Array<LineEvent | { kind: 'eof' }> = [];
  let working = false;
  let finished = false;
  let closing = false;

  const fail = async (op: string, code: 'E_BAD_JSON' | 'E_LINE_TOO_LONG', message: string): Promise<void> => {
    deps.health.recordError(op, code, message);
    try {
      await deps.oplog.append({ op, id: null, peer, outcome: 'refused', code, message });
    } catch {
      /* the reply still goes out */
    }
  };

  const write = (text: string): Promise<void> => {
    if (socket.destroyed || !socket.writable) return Promise.resolve();
    if (socket.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  };

  const finish = (): void => {
    finished = true;
    queue.length = 0;
    if (!socket.destroyed) socket.end();
  };

  const pump = async (): Promise<void> => {
    if (working) return;
    working = true;
    try {
      while (queue.length > 0 && !finished && !socket.destroyed) {
        const item = queue.shift()!;
        if (queue.length < deps.maxQueuedLines / 2 && socket.isPaused() && !closing) socket.resume();
        if (item.kind === 'eof') {
          finish();
          break;
        }
        if (item.kind === 'overflow') {
          const msg = `request line exceeds ${MAX_LINE_BYTES} bytes; closing the connection`;
          await fail('(oversize)', 'E_LINE_TOO_LONG', msg);
          await write(errorLine('E_LINE_TOO_LONG', msg));
          finish();
          break;
        }
        let text: string;
        try {
          text = utf8.decode(item.bytes);
        } catch {
          const msg = 'request line is not valid UTF-8';
          await fail('(bad-utf8)', 'E_BAD_JSON', msg);
          await write(errorLine('E_BAD_JSON', msg));
          continue;
        }
        let reply: string;
        try {
          reply = await deps.dispatcher.handleLine(text, peer);
        } catch {
          // The dispatcher answers every request itself; reaching here means the op log failed.
          reply = JSON.stringify({ v: PROTOCOL_VERSION, id: null, ok: false, error: { code: 'E_INTERNAL', message: 'internal error', hint: COMMON_ERRORS.E_INTERNAL.hint } });
        }
        await write(reply + '\n');
      }
      if (closing && queue.length === 0 && !finished) finish();
    } finally {
      working = false;
    }
  };

  const enqueue = (events: readonly (LineEvent | { kind: 'eof' })[]): void => {
    for (const ev of events) {
      if (ev.kind === 'line' && ev.bytes.length === 0) continue;
      queue.push(ev);
    }
    if (queue.length >= deps.maxQueuedLines) socket.pause();
    void pump();
  };

  socket.on('data', (chunk: Buffer) => {
    if (finished) return;
    enqueue(reader.push(chunk));
  });
  socket.on('end', () => {
    if (finished) return;
    enqueue([...reader.end(), { kind: 'eof' }]);
  });
  socket.setTimeout(deps.idleTimeoutMs, () => {
    if (working || queue.length > 0) return; // an op in progress is not idleness
    socket.destroy();
  });

  return {
    busy: () => working || queue.length > 0,
    shutdown: () => {
      closing = true;
      socket.pause();
      if (!working && queue.length === 0) finish();
    },
  };
}
