/** Test helpers for the server: a temp data dir, a real database and key, the Hono app, a fake clock. */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp, type AppDeps } from '../../server/app.ts';
import { createFailureLimiter, type FailureLimiter } from '../../server/auth/rate-limit.ts';
import { createTokenStore, type TokenStore } from '../../server/auth/tokens.ts';
import { loadOrCreateServerKey } from '../../server/crypto/key.ts';
import { createSecretBox, type SecretBox } from '../../server/crypto/secrets.ts';
import { openDatabase, type OpenedDb } from '../../server/db/open.ts';
import type { AppEnv } from '../../server/http/context.ts';
import { memoryLogger } from '../../server/log.ts';

export function tempDir(prefix = 'hop3-server-'): { dir: string; cleanup(): void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export class FakeClock {
  constructor(public ms = Date.parse('2026-01-02T03:04:05.000Z')) {}
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  readonly dir: string;
  readonly app: Hono<AppEnv>;
  readonly opened: OpenedDb;
  readonly tokens: TokenStore;
  readonly secrets: SecretBox;
  readonly limiter: FailureLimiter;
  readonly log: ReturnType<typeof memoryLogger>;
  readonly clock: FakeClock;
  /** A valid token named "test". */
  readonly token: string;
  request(method: string, path: string, opts?: RequestOpts): Promise<TestResponse>;
  cleanup(): void;
}

export interface RequestOpts {
  /** Token to send; default the harness token; null sends none. */
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

export function errorCode(r: TestResponse): string | undefined {
  return (r.json as { error?: { code?: string } } | null)?.error?.code;
}

export function makeHarness(overrides: Partial<AppDeps> = {}, limits = { burst: 5, perMinute: 6 }): Harness {
  const { dir, cleanup } = tempDir();
  const opened = openDatabase(join(dir, 'hop3.db'));
  const clock = new FakeClock();
  const tokens = createTokenStore({ db: opened.db, clock: clock.now });
  const secrets = createSecretBox(loadOrCreateServerKey(join(dir, 'server.key')).bytes);
  const limiter = createFailureLimiter({ burst: limits.burst, perMinute: limits.perMinute, clock: () => clock.ms });
  const log = memoryLogger();
  const app = createApp({
    db: opened.db,
    secrets,
    tokens,
    limiter,
    clock: clock.now,
    log,
    version: '0.0.0-test',
    config: { domain: 'hop3.test', max_body_bytes: 4096, trusted_proxies: [] },
    ...overrides,
  });
  const { token } = tokens.create('test');
  return {
    dir,
    app,
    opened,
    tokens,
    secrets,
    limiter,
    log,
    clock,
    token,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const t = opts.token === undefined ? token : opts.token;
      if (t !== null) headers['authorization'] = `Bearer ${t}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    cleanup() {
      opened.close();
      cleanup();
    },
  };
}

/** Serve a Hono app on 127.0.0.1, port 0; returns its base URL. */
export async function serveHttp(app: Hono<AppEnv>): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
