/** /v1/addons and /v1/apps/:app/addons (shared-protocol/api/addons.ts). */
import type { Hono } from 'hono';
import { flagValue, routeByName } from '../../shared-protocol/api/index.ts';
import type { AddonService } from '../addons/service.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';

export function registerAddonRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: { addons: AddonService }): void {
  const a = deps.addons;
  mountRoute(app, routeByName('addons.types'), mount, () => a.types());
  mountRoute(app, routeByName('addons.list'), mount, () => a.list());
  mountRoute(app, routeByName('addons.create'), mount, ({ body }) => a.create(body.type, body.name, { extensions: body.extensions ?? [] }));
  mountRoute(app, routeByName('addons.show'), mount, ({ params, query, token }) => a.show(params.name, flagValue(query.show_secrets), token?.name));
  mountRoute(app, routeByName('addons.status'), mount, ({ params }) => a.status(params.name));
  mountRoute(app, routeByName('addons.destroy'), mount, ({ params, query }) => a.destroy(params.name, { confirm: query.confirm, force: flagValue(query.force) }));
  mountRoute(app, routeByName('addons.app_list'), mount, ({ params }) => a.appList(params.app));
  mountRoute(app, routeByName('addons.attach'), mount, ({ params }) => a.attach(params.name, params.app));
  mountRoute(app, routeByName('addons.detach'), mount, ({ params }) => a.detach(params.name, params.app));
  mountRoute(app, routeByName('addons.promote'), mount, ({ params }) => a.promote(params.name, params.app));
}
