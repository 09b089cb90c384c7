/**
 * The Hono app: request ids, the declared routes, JSON 404s, and the one
 * error handler (server/errors.ts). Handlers get narrow dependencies; the
 * process wiring (database, key, rootd, listening) is in server.ts.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { SecretBox } from './crypto/secrets.ts';
import type { Db } from './db/open.ts';
import type { FailureLimiter } from './auth/rate-limit.ts';
import type { TokenStore } from './auth/tokens.ts';
import { errorBody, errorResponse } from './errors.ts';
import type { AppEnv } from './http/context.ts';
import type { MountDeps } from './http/mount.ts';
import type { Logger } from './log.ts';
import { registerAppRoutes } from './routes/apps.ts';
import { registerDomainRoutes } from './routes/domains.ts';
import { registerEnvRoutes } from './routes/env.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { createAppsService } from './services/apps.ts';
import { createDomainsService } from './services/domains.ts';
import { createEnvService } from './services/env.ts';
import { NO_HOOKS, type AppHooks } from './services/hooks.ts';

export interface AppDeps {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly tokens: Pick<TokenStore, 'verify'>;
  readonly limiter: FailureLimiter;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly version: string;
  readonly config: { readonly domain: string; readonly max_body_bytes: number; readonly trusted_proxies: readonly string[] };
  /** The deploy/runtime work's lifecycle hooks (default: nothing runs yet, nothing to stop). */
  readonly hooks?: AppHooks;
  /** More routes (the deploy pipeline's), mounted with the same auth, validation and errors. */
  readonly extraRoutes?: (app: Hono<AppEnv>, mount: MountDeps) => void;
}

export function newRequestId(): string {
  return `req_${randomBytes(8).toString('hex')}`;
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const hooks = deps.hooks ?? NO_HOOKS;
  const mount: MountDeps = {
    auth: { tokens: deps.tokens, limiter: deps.limiter, trustedProxies: deps.config.trusted_proxies, log: deps.log },
    maxBodyBytes: deps.config.max_body_bytes,
    log: deps.log,
  };

  app.use('*', async (c, next) => {
    const requestId = newRequestId();
    c.set('requestId', requestId);
    c.set('token', undefined);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    deps.log.debug('request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    });
  });

  const clock = deps.clock;
  const serverDomain = deps.config.domain;
  const apps = createAppsService({ db: deps.db, clock, serverDomain, hooks });
  registerMetaRoutes(app, mount, { db: deps.db, version: deps.version });
  registerAppRoutes(app, mount, { apps });
  registerEnvRoutes(app, mount, { env: createEnvService({ db: deps.db, secrets: deps.secrets, clock }), log: deps.log });
  registerDomainRoutes(app, mount, { domains: createDomainsService({ db: deps.db, clock, serverDomain, hooks }) });
  deps.extraRoutes?.(app, mount);

  app.notFound((c) => c.json(errorBody('E_ROUTE_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => errorResponse(c, err, deps.log));
  return app;
}
