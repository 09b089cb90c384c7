/** Apps: create, list, get, delete (confirmed). Rows → API views. */
import { asc, count, eq, inArray } from 'drizzle-orm';
import type { AppDetail, AppSummary } from '../../shared-protocol/api/apps.ts';
import { hostnameProblem } from '../../shared-protocol/api/hostname.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Db } from '../db/open.ts';
import { apps, domains, envVars, releases } from '../db/schema/index.ts';
import type { AppHooks } from './hooks.ts';
import { defaultHostname, effectiveHostnames } from './hostnames.ts';

export type AppRow = typeof apps.$inferSelect;

export interface AppsDeps {
  readonly db: Db;
  readonly clock: () => Date;
  readonly serverDomain: string;
  readonly hooks: Pick<AppHooks, 'beforeDelete'>;
}

export function findApp(db: Db, name: string): AppRow | undefined {
  return db.select().from(apps).where(eq(apps.name, name)).get();
}

export function requireApp(db: Db, name: string): AppRow {
  const row = findApp(db, name);
  if (row === undefined) throw new Hop3Error('E_APP_NOT_FOUND', `no app is named ${name}`);
  return row;
}

/** Mark an app changed (env, domains...). */
export function touchApp(db: Pick<Db, 'update'>, app: AppRow, now: Date): void {
  db.update(apps).set({ updatedAt: now }).where(eq(apps.id, app.id)).run();
}

function domainsByApp(db: Db, appIds: readonly number[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  if (appIds.length === 0) return out;
  for (const d of db.select().from(domains).where(inArray(domains.appId, [...appIds])).orderBy(asc(domains.hostname)).all()) {
    const list = out.get(d.appId) ?? [];
    list.push(d.hostname);
    out.set(d.appId, list);
  }
  return out;
}

function releaseNumbers(db: Db, ids: readonly number[]): Map<number, number> {
  if (ids.length === 0) return new Map();
  const rows = db.select({ id: releases.id, number: releases.number }).from(releases).where(inArray(releases.id, [...ids])).all();
  return new Map(rows.map((r) => [r.id, r.number]));
}

function summary(row: AppRow, appDomains: readonly string[], release: number | undefined, serverDomain: string): AppSummary {
  return {
    name: row.name,
    state: row.state,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    current_release: release ?? null,
    hostnames: effectiveHostnames(appDomains, defaultHostname(row.name, serverDomain)),
  };
}

export function createAppsService(deps: AppsDeps) {
  const { db, serverDomain } = deps;

  function detail(row: AppRow): AppDetail {
    const appDomains = domainsByApp(db, [row.id]).get(row.id) ?? [];
    const release = row.currentReleaseId === null ? undefined : releaseNumbers(db, [row.currentReleaseId]).get(row.currentReleaseId);
    const envCount = db.select({ n: count() }).from(envVars).where(eq(envVars.appId, row.id)).get()?.n ?? 0;
    return {
      ...summary(row, appDomains, release, serverDomain),
      domains: appDomains,
      default_hostname: defaultHostname(row.name, serverDomain),
      env_count: envCount,
    };
  }

  return {
    list(): AppSummary[] {
      const rows = db.select().from(apps).orderBy(asc(apps.name)).all();
      const ds = domainsByApp(db, rows.map((r) => r.id));
      const rel = releaseNumbers(db, rows.flatMap((r) => (r.currentReleaseId === null ? [] : [r.currentReleaseId])));
      return rows.map((r) => summary(r, ds.get(r.id) ?? [], r.currentReleaseId === null ? undefined : rel.get(r.currentReleaseId), serverDomain));
    },

    get(name: string): AppDetail {
      return detail(requireApp(db, name));
    },

    create(name: string): AppDetail {
      const fallback = defaultHostname(name, serverDomain);
      if (hostnameProblem(fallback) !== null) {
        throw new Hop3Error('E_INVALID_APP_NAME', `app name ${name} makes an invalid default host name ${fallback}`, {
          hint: 'Use a shorter app name.',
        });
      }
      const row = db.transaction((tx) => {
        if (tx.select({ id: apps.id }).from(apps).where(eq(apps.name, name)).get() !== undefined) {
          throw new Hop3Error('E_APP_EXISTS', `an app named ${name} already exists`);
        }
        const owner = tx.select({ appId: domains.appId }).from(domains).where(eq(domains.hostname, fallback)).get();
        if (owner !== undefined) {
          throw new Hop3Error('E_DOMAIN_TAKEN', `the default host name ${fallback} of a new app ${name} is already a domain of another app`);
        }
        const now = deps.clock();
        return tx.insert(apps).values({ name, createdAt: now, updatedAt: now }).returning().get();
      });
      return detail(row);
    },

    async remove(name: string, confirm: string | undefined): Promise<{ deleted: string }> {
      const row = requireApp(db, name);
      if (confirm !== name) {
        throw new Hop3Error('E_CONFIRM_REQUIRED', `deleting app ${name} needs confirm=${name}`, { hint: `Repeat with --confirm=${name}.` });
      }
      await deps.hooks.beforeDelete(row);
      db.delete(apps).where(eq(apps.id, row.id)).run();
      return { deleted: name };
    },
  };
}

export type AppsService = ReturnType<typeof createAppsService>;
