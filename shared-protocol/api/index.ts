/**
 * The closed HTTP route table (CLI ↔ server). The server mounts exactly these
 * routes; the OpenAPI document and the CLI's typed client are derived from it.
 * The deploy pipeline adds its nouns (deploys, releases, processes, logs) here.
 */
import { ADDON_ROUTES } from './addons.ts';
import { APP_ROUTES } from './apps.ts';
import { DEPLOY_ROUTES } from './deploys.ts';
import { DOMAIN_ROUTES } from './domains.ts';
import { ENV_ROUTES } from './env.ts';
import { META_ROUTES } from './health.ts';
import { PROCESS_ROUTES } from './processes.ts';
import { RELEASE_ROUTES } from './releases.ts';

export const API_ROUTES = [
  ...META_ROUTES,
  ...APP_ROUTES,
  ...ENV_ROUTES,
  ...DOMAIN_ROUTES,
  ...DEPLOY_ROUTES,
  ...RELEASE_ROUTES,
  ...PROCESS_ROUTES,
  ...ADDON_ROUTES,
] as const;

export type AnyRoute = (typeof API_ROUTES)[number];
export type RouteName = AnyRoute['name'];
export type RouteOf<N extends RouteName> = Extract<AnyRoute, { name: N }>;

export function routeByName<N extends RouteName>(name: N): RouteOf<N> {
  const r = API_ROUTES.find((x) => x.name === name);
  if (r === undefined) throw new Error(`unknown route ${name}`);
  return r as RouteOf<N>;
}

/** Fill a route path: `/v1/apps/:app` + {app:'x'} → `/v1/apps/x` (values URI-encoded). */
export function routePath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replace(/:([a-z_]+)/g, (_m, key: string) => {
    const v = params[key];
    if (v === undefined) throw new Error(`missing path parameter ${key} for ${path}`);
    return encodeURIComponent(v);
  });
}

export { API_ERRORS, type ApiErrorCode } from './errors.ts';
export * from './define.ts';
