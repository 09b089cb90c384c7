/**
 * App domains: list, add, remove, set, clear. A host name belongs to one app,
 * counting default host names: `<other-app>.<server domain>` is taken.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { DomainList } from '../../shared-protocol/api/domains.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Db } from '../db/open.ts';
import { domains } from '../db/schema/index.ts';
import { findApp, requireApp, touchApp, type AppRow } from './apps.ts';
import type { AppHooks } from './hooks.ts';
import { appOfDefaultHostname, assertHostname, defaultHostname, effectiveHostnames } from './hostnames.ts';

export interface DomainsDeps {
  readonly db: Db;
  readonly clock: () => Date;
  readonly serverDomain: string;
  readonly hooks: Pick<AppHooks, 'hostnamesChanged'>;
}

export function createDomainsService(deps: DomainsDeps) {
  const { db, serverDomain } = deps;

  const current = (app: AppRow): string[] =>
    db.select({ h: domains.hostname }).from(domains).where(eq(domains.appId, app.id)).orderBy(asc(domains.hostname)).all().map((r) => r.h);

  function view(app: AppRow): DomainList {
    const list = current(app);
    const fallback = defaultHostname(app.name, serverDomain);
    return { app: app.name, domains: list, default_hostname: fallback, hostnames: effectiveHostnames(list, fallback) };
  }

  /** Validate and check that no other app holds the name. */
  function claimable(app: AppRow, hostname: string): void {
    assertHostname(hostname);
    const owner = db.select({ appId: domains.appId }).from(domains).where(eq(domains.hostname, hostname)).get();
    if (owner !== undefined && owner.appId !== app.id) {
      throw new Hop3Error('E_DOMAIN_TAKEN', `${hostname} is already a domain of another app`);
    }
    const other = appOfDefaultHostname(hostname, serverDomain);
    if (other !== undefined && other !== app.name && findApp(db, other) !== undefined) {
      throw new Hop3Error('E_DOMAIN_TAKEN', `${hostname} is the default host name of app ${other}`);
    }
  }

  async function changed(app: AppRow, before: readonly string[]): Promise<DomainList> {
    const v = view(app);
    if (v.domains.join('\n') !== before.join('\n')) {
      touchApp(db, app, deps.clock());
      await deps.hooks.hostnamesChanged(app, v.hostnames);
    }
    return v;
  }

  return {
    list(appName: string): DomainList {
      return view(requireApp(db, appName));
    },

    async add(appName: string, hostname: string): Promise<DomainList> {
      const app = requireApp(db, appName);
      claimable(app, hostname);
      const before = current(app);
      db.insert(domains).values({ appId: app.id, hostname, createdAt: deps.clock() }).onConflictDoNothing().run();
      return changed(app, before);
    },

    async remove(appName: string, hostname: string): Promise<DomainList> {
      const app = requireApp(db, appName);
      assertHostname(hostname);
      const before = current(app);
      const res = db.delete(domains).where(and(eq(domains.appId, app.id), eq(domains.hostname, hostname))).run();
      if (res.changes === 0) throw new Hop3Error('E_DOMAIN_NOT_FOUND', `app ${app.name} has no domain ${hostname}`);
      return changed(app, before);
    },

    async set(appName: string, hostnames: readonly string[]): Promise<DomainList> {
      const app = requireApp(db, appName);
      const wanted = [...new Set(hostnames)];
      for (const h of wanted) claimable(app, h);
      const before = current(app);
      const now = deps.clock();
      db.transaction((tx) => {
        tx.delete(domains).where(eq(domains.appId, app.id)).run();
        for (const hostname of wanted) tx.insert(domains).values({ appId: app.id, hostname, createdAt: now }).run();
      });
      return changed(app, before);
    },

    async clear(appName: string): Promise<DomainList> {
      const app = requireApp(db, appName);
      const before = current(app);
      db.delete(domains).where(eq(domains.appId, app.id)).run();
      return changed(app, before);
    },
  };
}

export type DomainsService = ReturnType<typeof createDomainsService>;
