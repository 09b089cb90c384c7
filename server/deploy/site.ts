/**
 * The app's nginx site, through rootd: which host names route to it and which
 * ports (every web copy) or static root serve it.
 *
 * Host names: the app's domains (`hop3 domains`) plus [domains].list of its
 * config ([domains].policy = "override": the config list alone); when that is
 * empty, HOST_NAME from the app env; else <app>.<server domain>.
 */
import { asc, eq } from 'drizzle-orm';
import type { DomainsConfig } from '../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { OpParams } from '../../shared-protocol/ops/index.ts';
import type { Db } from '../db/open.ts';
import { domains } from '../db/schema/index.ts';
import type { RootdClient } from '../rootd-client.ts';
import { findApp, type AppRow } from '../services/apps.ts';
import { appOfDefaultHostname, assertHostname, defaultHostname } from '../services/hostnames.ts';

export function storedDomains(db: Db, app: AppRow): string[] {
  return db.select({ h: domains.hostname }).from(domains).where(eq(domains.appId, app.id)).orderBy(asc(domains.hostname)).all().map((r) => r.h);
}

/** Config host names must be valid and not belong to another app (checked before anything changes). */
export function checkConfigDomains(db: Db, app: AppRow, config: DomainsConfig | null, serverDomain: string): void {
  for (const h of config?.list ?? []) {
    assertHostname(h);
    const owner = db.select({ appId: domains.appId }).from(domains).where(eq(domains.hostname, h)).get();
    if (owner !== undefined && owner.appId !== app.id) throw new Hop3Error('E_DOMAIN_TAKEN', `[domains] ${h} is already a domain of another app`);
    const other = appOfDefaultHostname(h, serverDomain);
    if (other !== undefined && other !== app.name && findApp(db, other) !== undefined) {
      throw new Hop3Error('E_DOMAIN_TAKEN', `[domains] ${h} is the default host name of app ${other}`);
    }
  }
}

export function siteHostnames(
  db: Db,
  app: AppRow,
  serverDomain: string,
  config: DomainsConfig | null,
  env: Readonly<Record<string, string>>,
): string[] {
  const fromConfig = config?.list ?? [];
  const names = config?.policy === 'override' ? [...fromConfig] : [...storedDomains(db, app), ...fromConfig];
  const unique = [...new Set(names)].sort();
  if (unique.length > 0) return unique;
  const hostName = env['HOST_NAME'];
  if (hostName !== undefined && hostName !== '') {
    assertHostname(hostName);
    return [hostName];
  }
  return [defaultHostname(app.name, serverDomain)];
}

export interface SiteSpec {
  readonly hostnames: readonly string[];
  /** every web copy's port; empty for a static site without processes */
  readonly ports: readonly number[];
  /** relative to <APP_ROOT>/<app>/src/ */
  readonly staticRoot: string | null;
}

/**
 * The nginx.apply_site params for a site: every web copy's port (sorted), its
 * static root, or both. A static site without processes sends no ports, so
 * rootd renders it static-only and a missing file is nginx's 404. A site with
 * neither is refused by rootd (E_NGINX_INVALID_SITE): callers check servesHttp.
 */
export function siteParams(app: string, site: SiteSpec): OpParams<'nginx.apply_site'> {
  return {
    app,
    hostnames: [...site.hostnames],
    ...(site.ports.length > 0 ? { upstream_ports: [...site.ports].sort((a, b) => a - b) } : {}),
    ...(site.staticRoot === null ? {} : { static_root: site.staticRoot }),
  };
}

export async function applySite(rootd: Pick<RootdClient, 'call'>, app: string, site: SiteSpec): Promise<void> {
  await rootd.call('nginx.apply_site', siteParams(app, site));
}

export async function removeSite(rootd: Pick<RootdClient, 'call'>, app: string): Promise<boolean> {
  return (await rootd.call('nginx.remove_site', { app })).removed;
}

export function siteUrl(hostnames: readonly string[]): string | undefined {
  const first = hostnames[0];
  return first === undefined ? undefined : `http://${first}/`;
}
