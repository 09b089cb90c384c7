/** /v1/apps: list, create, get, delete. */
import type { Hono } from 'hono';
import { routeByName } from '../../shared-protocol/api/index.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';
import type { AppsService } from '../services/apps.ts';

export function registerAppRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: { apps: AppsService }): void {
  mountRoute(app, routeByName('apps.list'), mount, () => ({ apps: deps.apps.list() }));
  mountRoute(app, routeByName('apps.create'), mount, ({ body }) => deps.apps.create(body.name));
  mountRoute(app, routeByName('apps.get'), mount, ({ params }) => deps.apps.get(params.app));
  mountRoute(app, routeByName('apps.delete'), mount, ({ params, query }) => deps.apps.remove(params.app, query.confirm));
}
