/** GET /v1/health (no token), GET /v1/whoami, GET /v1/openapi.json. */
import { sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { routeByName } from '../../shared-protocol/api/index.ts';
import { buildOpenApi } from '../../shared-protocol/api/openapi.ts';
import type { Db } from '../db/open.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';

export function registerMetaRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: { db: Db; version: string }): void {
  mountRoute(app, routeByName('health.get'), mount, () => {
    deps.db.get(sql`SELECT 1`);
    return { status: 'ok' as const, version: deps.version };
  });
  mountRoute(app, routeByName('auth.whoami'), mount, ({ token }) => {
    if (token === undefined) throw new Error('whoami reached without a token');
    return { token: { id: token.id, name: token.name, prefix: token.prefix } };
  });
  const openapi = buildOpenApi(deps.version);
  mountRoute(app, routeByName('openapi.get'), mount, ({ c }) => c.json(openapi));
}
