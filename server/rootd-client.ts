/**
 * The only caller of hop3-rootd. Typed by the op table: `call('nginx.apply_site', params)`
 * takes OpParams<'nginx.apply_site'> and resolves to OpResult<'nginx.apply_site'>.
 *
 * NDJSON over the Unix socket, one connection, requests multiplexed by id.
 * The connection is opened on first use (or connect()) and always starts with
 * daemon.handshake; after a loss the next call reconnects. A call in flight
 * when the connection drops is rejected, never retried: a mutating op may or
 * may not have been applied, and only the caller knows whether repeating it
 * is safe. Errors:
 *   E_ROOTD_UNAVAILABLE  cannot connect, handshake refused, or connection lost
 *   E_ROOTD_TIMEOUT      no reply within the request timeout
 *   E_ROOTD_PROTOCOL     a reply that is not a valid envelope or result
 *   rootd's own code     (message and hint propagated) when rootd answers ok:false
 */
import { createConnection, type Socket } from 'node:net';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Hop3Error, isHop3Error } from '../shared-protocol/errors.ts';
import { MAX_LINE_BYTES, PROTOCOL_VERSION } from '../shared-protocol/ops/envelope.ts';
import { ALL_OPS, type OpName, type OpParams, type OpResult } from '../shared-protocol/ops/index.ts';
import { splitLines } from './rootd-lines.ts';

export interface RootdClientOptions {
  readonly socketPath: string;
  /** Sent in the handshake, e.g. "hop3-server/0.1.0". */
  readonly client: string;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Connect + handshake timeout (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Largest reply line accepted (default 16 MiB). */
  readonly maxReplyBytes?: number;
  readonly onWarning?: (message: string) => void;
}

export type HandshakeInfo = OpResult<'daemon.handshake'>;

export interface RootdClient {
  call<N extends OpName>(op: N, params: OpParams<N>, opts?: { timeoutMs?: number }): Promise<OpResult<N>>;
  /** Connect and handshake now (calls do it on demand). */
  connect(): Promise<HandshakeInfo>;
  /** The last successful handshake on the live connection, if any. */
  readonly handshake: HandshakeInfo | undefined;
  close(): Promise<void>;
}

interface Pending {
  readonly op: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Connection {
  readonly socket: Socket;
  readonly pending: Map<string, Pending>;
  handshake: HandshakeInfo | undefined;
  dead: boolean;
}

const OPS = new Map<string, { params: TSchema; result: TSchema }>(ALL_OPS.map((o) => [o.name, { params: o.params, result: o.result }]));
const checks = new Map<string, { params: TypeCheck<TSchema>; result: TypeCheck<TSchema> }>();
function checksFor(op: string): { params: TypeCheck<TSchema>; result: TypeCheck<TSchema> } {
  let c = checks.get(op);
  if (c === undefined) {
    const def = OPS.get(op);
    if (def === undefined) throw new Hop3Error('E_UNKNOWN_OP', `${op} is not in the op table`);
    c = { params: TypeCompiler.Compile(def.params), result: TypeCompiler.Compile(def.result) };
    checks.set(op, c);
  }
  return c;
}

const unavailable = (socketPath: string, message: string, hint?: string, cause?: unknown): Hop3Error =>
  new Hop3Error('E_ROOTD_UNAVAILABLE', message, {
    hint: hint ?? `Check that hop3-rootd is running and listening on ${socketPath}, and that this user may open the socket.`,
    ...(cause === undefined ? {} : { cause }),
  });

function connectError(socketPath: string, e: NodeJS.ErrnoException): Hop3Error {
  switch (e.code) {
    case 'ENOENT':
      return unavailable(socketPath, `hop3-rootd socket ${socketPath} does not exist`, 'Start hop3-rootd (systemctl start hop3-rootd) or fix rootd_socket in the server config.', e);
    case 'ECONNREFUSED':
      return unavailable(socketPath, `nothing accepts connections on ${socketPath} (hop3-rootd is not running)`, 'Start hop3-rootd (systemctl start hop3-rootd).', e);
    case 'EACCES':
      return unavailable(socketPath, `permission denied opening ${socketPath}`, "Add the server user to the rootd socket's group, then restart hop3-server.", e);
    default:
      return unavailable(socketPath, `cannot connect to hop3-rootd at ${socketPath}: ${e.code ?? e.message}`, undefined, e);
  }
}

export function createRootdClient(opts: RootdClientOptions): RootdClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  const maxReplyBytes = opts.maxReplyBytes ?? 16 * 1024 * 1024;
  let seq = 0;
  let live: Promise<Connection> | null = null;
  let current: Connection | undefined;
  let closed = false;

  function fail(conn: Connection, err: Error): void {
    if (conn.dead) return;
    conn.dead = true;
    conn.socket.destroy();
    if (current === conn) {
      current = undefined;
      live = null;
    }
    for (const [id, p] of conn.pending) {
      clearTimeout(p.timer);
      conn.pending.delete(id);
      p.reject(err);
    }
  }

  function onLine(conn: Connection, line: string): void {
    let reply: unknown;
    try {
      reply = JSON.parse(line);
    } catch {
      return fail(conn, new Hop3Error('E_ROOTD_PROTOCOL', 'hop3-rootd sent a line that is not JSON'));
    }
    const r = reply as { v?: unknown; id?: unknown; ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; hint?: unknown } };
    if (typeof reply !== 'object' || reply === null || r.v !== PROTOCOL_VERSION || typeof r.ok !== 'boolean') {
      return fail(conn, new Hop3Error('E_ROOTD_PROTOCOL', 'hop3-rootd sent a reply that is not a protocol-1 envelope'));
    }
    const p = typeof r.id === 'string' ? conn.pending.get(r.id) : undefined;
    if (p === undefined) {
      opts.onWarning?.(`rootd reply for unknown or expired request id ${JSON.stringify(r.id)} ignored`);
      return;
    }
    conn.pending.delete(r.id as string);
    clearTimeout(p.timer);
    if (r.ok) {
      if (!checksFor(p.op).result.Check(r.result)) {
        return p.reject(new Hop3Error('E_ROOTD_PROTOCOL', `hop3-rootd answered ${p.op} with a result outside its schema`));
      }
      return p.resolve(r.result);
    }
    const e = r.error ?? {};
    const code = typeof e.code === 'string' && /^E_[A-Z0-9_]+$/.test(e.code) ? (e.code as `E_${string}`) : 'E_ROOTD_PROTOCOL';
    const message = typeof e.message === 'string' ? e.message : `${p.op} failed`;
    p.reject(new Hop3Error(code, message, { ...(typeof e.hint === 'string' ? { hint: e.hint } : {}), details: { op: p.op, source: 'rootd' } }));
  }

  function send(conn: Connection, op: string, params: unknown, ms: number): Promise<unknown> {
    if (conn.dead) return Promise.reject(unavailable(opts.socketPath, 'the connection to hop3-rootd is closed'));
    const id = `srv-${process.pid}-${++seq}`;
    const line = JSON.stringify({ v: PROTOCOL_VERSION, id, op, params });
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
      return Promise.reject(new Hop3Error('E_LINE_TOO_LONG', `${op} request is larger than ${MAX_LINE_BYTES} bytes`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        conn.pending.delete(id);
        reject(new Hop3Error('E_ROOTD_TIMEOUT', `hop3-rootd did not answer ${op} within ${ms} ms`, { details: { op } }));
      }, ms);
      conn.pending.set(id, { op, resolve, reject, timer });
      conn.socket.write(`${line}\n`);
    });
  }

  async function open(): Promise<Connection> {
    const socket = createConnection(opts.socketPath);
    const conn: Connection = { socket, pending: new Map(), handshake: undefined, dead: false };
    const lines = splitLines(maxReplyBytes);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unavailable(opts.socketPath, `timed out connecting to hop3-rootd at ${opts.socketPath}`));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(connectError(opts.socketPath, e));
      });
    });
    socket.on('data', (chunk: Buffer) => {
      const out = lines.push(chunk);
      for (const l of out.lines) onLine(conn, l);
      if (out.overflow) fail(conn, new Hop3Error('E_ROOTD_PROTOCOL', `hop3-rootd sent a reply longer than ${maxReplyBytes} bytes`));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => fail(conn, unavailable(opts.socketPath, `connection to hop3-rootd failed (${e.code ?? e.message}); the op may or may not have been applied`)));
    socket.on('close', () => fail(conn, unavailable(opts.socketPath, 'hop3-rootd closed the connection; the op may or may not have been applied')));
    try {
      const params: OpParams<'daemon.handshake'> = { client: opts.client, protocol: PROTOCOL_VERSION };
      conn.handshake = (await send(conn, 'daemon.handshake', params, connectTimeoutMs)) as HandshakeInfo;
    } catch (e) {
      fail(conn, e as Error);
      if (isHop3Error(e) && e.code === 'E_BAD_VERSION') throw new Hop3Error('E_ROOTD_PROTOCOL', `hop3-rootd refused protocol ${PROTOCOL_VERSION}: ${e.message}`);
      if (isHop3Error(e) && e.code === 'E_ROOTD_TIMEOUT') {
        throw unavailable(opts.socketPath, `hop3-rootd accepted the connection but did not answer daemon.handshake within ${connectTimeoutMs} ms`);
      }
      if (isHop3Error(e) && e.code.startsWith('E_ROOTD_')) throw e;
      const code = isHop3Error(e) ? e.code : 'error';
      throw unavailable(opts.socketPath, `hop3-rootd refused the handshake: ${code}: ${(e as Error).message}`, isHop3Error(e) ? e.hint : undefined);
    }
    return conn;
  }

  function connection(): Promise<Connection> {
    if (closed) return Promise.reject(unavailable(opts.socketPath, 'the rootd client is closed'));
    if (live === null) {
      const attempt = open().then((conn) => {
        current = conn;
        return conn;
      });
      live = attempt;
      attempt.catch(() => {
        if (live === attempt) live = null;
      });
    }
    return live;
  }

  return {
    async call(op, params, callOpts) {
      const c = checksFor(op);
      if (!c.params.Check(params)) {
        const first = c.params.Errors(params).First();
        throw new Hop3Error('E_INVALID_PARAMS', `${op} params${first?.path ?? ''}: ${first?.message ?? 'invalid'}`);
      }
      const conn = await connection();
      return (await send(conn, op, params, callOpts?.timeoutMs ?? timeoutMs)) as OpResult<typeof op>;
    },
    async connect() {
      const conn = await connection();
      return conn.handshake as HandshakeInfo;
    },
    get handshake() {
      return current?.handshake;
    },
    async close() {
      closed = true;
      const conn = current ?? (live === null ? undefined : await live.catch(() => undefined));
      if (conn !== undefined) fail(conn, unavailable(opts.socketPath, 'the rootd client was closed'));
    },
  };
}
