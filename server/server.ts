/**
 * Process wiring for `hop3-server serve`: data dir, server key, database,
 * tokens, limiter, rootd client, the Hono app, and the listener (TCP or a
 * Unix socket, 0660). The deploy work extends it through `extend`, which
 * receives the same dependencies the foundation built.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Server } from 'node:http';
import type { Hono } from 'hono';
import { createAdaptorServer } from '@hono/node-server';
import { Hop3Error } from '../shared-protocol/errors.ts';
import { createApp } from './app.ts';
import { createFailureLimiter } from './auth/rate-limit.ts';
import { createTokenStore } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import { loadOrCreateServerKey } from './crypto/key.ts';
import { createSecretBox, type SecretBox } from './crypto/secrets.ts';
import { ensureDataDir, openDatabase, type Db } from './db/open.ts';
import type { AppEnv } from './http/context.ts';
import type { MountDeps } from './http/mount.ts';
import { formatListen } from './listen-address.ts';
import type { Logger } from './log.ts';
import { createRootdClient, type RootdClient } from './rootd-client.ts';
import type { AppHooks } from './services/hooks.ts';
import { SERVER_VERSION } from './version.ts';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly rootd: RootdClient;
  readonly clock: () => Date;
  readonly log: Logger;
}

export interface Extension {
  readonly hooks?: AppHooks;
  readonly extraRoutes?: (app: Hono<AppEnv>, mount: MountDeps) => void;
  readonly close?: () => Promise<void>;
}

export interface RunningServer {
  /** host:port (with the real port when 0 was asked) or the socket path. */
  readonly address: string;
  readonly port: number | undefined;
  readonly context: ServerContext;
  close(): Promise<void>;
}

/** A stale socket file (nobody listening) is removed; a live one is E_LISTEN. */
async function clearStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Hop3Error('E_LISTEN', `${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Hop3Error('E_LISTEN', `another process listens on ${path}`);
  unlinkSync(path);
}

function listen(server: Server, config: ServerConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Hop3Error('E_LISTEN', `cannot listen on ${formatListen(config.listenAddress)}: ${e.code ?? e.message}`, { cause: e })),
    );
    const a = config.listenAddress;
    if (a.kind === 'unix') server.listen(a.path, () => resolve());
    else server.listen(a.port, a.host, () => resolve());
  });
}

export async function startServer(
  config: ServerConfig,
  opts: { log: Logger; clock?: () => Date; extend?: (ctx: ServerContext) => Extension | Promise<Extension> },
): Promise<RunningServer> {
  const clock = opts.clock ?? (() => new Date());
  const log = opts.log;
  ensureDataDir(config.data_dir);
  const key = loadOrCreateServerKey(config.keyPath);
  if (key.created) log.warn('created a new server key; back it up with the database', { path: config.keyPath });
  const opened = openDatabase(config.dbPath);
  const secrets = createSecretBox(key.bytes);
  const rootd = createRootdClient({
    socketPath: config.rootd_socket,
    client: `hop3-server/${SERVER_VERSION}`,
    timeoutMs: config.rootd_timeout_ms,
    onWarning: (m) => log.warn(m),
  });
  const context: ServerContext = { config, db: opened.db, secrets, rootd, clock, log };
  let ext: Extension;
  try {
    ext = (await opts.extend?.(context)) ?? {};
  } catch (e) {
    await rootd.close();
    opened.close();
    throw e;
  }
  const app = createApp({
    db: opened.db,
    secrets,
    tokens: createTokenStore({ db: opened.db, clock }),
    limiter: createFailureLimiter({ burst: config.auth.failure_burst, perMinute: config.auth.failures_per_minute, clock: () => clock().getTime() }),
    clock,
    log,
    version: SERVER_VERSION,
    config: { domain: config.domain, max_body_bytes: config.max_body_bytes, trusted_proxies: config.auth.trusted_proxies },
    ...(ext.hooks === undefined ? {} : { hooks: ext.hooks }),
    ...(ext.extraRoutes === undefined ? {} : { extraRoutes: ext.extraRoutes }),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const a = config.listenAddress;
  try {
    if (a.kind === 'unix') await clearStaleSocket(a.path);
    await listen(server, config);
    if (a.kind === 'unix') chmodSync(a.path, 0o660);
  } catch (e) {
    await ext.close?.();
    await rootd.close();
    opened.close();
    throw e;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : undefined;
  const address = a.kind === 'unix' ? a.path : formatListen({ ...a, port: port ?? a.port });
  log.info('hop3-server listening', { address, version: SERVER_VERSION, data_dir: config.data_dir, rootd_socket: config.rootd_socket });
  // Probe rootd once: a missing daemon is worth a warning at start, not a refusal (it may start later).
  rootd.connect().then(
    (h) => log.info('connected to hop3-rootd', { daemon_version: h.daemon_version, ops: h.op_count }),
    (e: unknown) => log.warn('hop3-rootd is not reachable yet', { code: (e as Hop3Error).code, message: (e as Error).message }),
  );

  let closing: Promise<void> | undefined;
  return {
    address,
    port,
    context,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2_000).unref();
        });
        await ext.close?.();
        await rootd.close();
        opened.close();
      })();
      return closing;
    },
  };
}
