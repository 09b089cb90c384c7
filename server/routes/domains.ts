/** /v1/apps/:app/domains: list, add, set, remove, clear. */
import type { Hono } from 'hono';
import { routeByName } from '../../shared-protocol/api/index.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';
import type { DomainsService } from '../services/domains.ts';

export function registerDomainRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: { domains: DomainsService }): void {
  mountRoute(app, routeByName('domains.list'), mount, ({ params }) => deps.domains.list(params.app));
  mountRoute(app, routeByName('domains.add'), mount, ({ params, body }) => deps.domains.add(params.app, body.hostname));
  mountRoute(app, routeByName('domains.set'), mount, ({ params, body }) => deps.domains.set(params.app, body.hostnames));
  mountRoute(app, routeByName('domains.remove'), mount, ({ params }) => deps.domains.remove(params.app, params.hostname));
  mountRoute(app, routeByName('domains.clear'), mount, ({ params }) => deps.domains.clear(params.app));
}
