/**
 * Release rows: create, update, switch the live one, list as API views. The
 * "one live release per app" index is kept by switching in one transaction
 * (old → superseded first, then new → live, then apps.current_release_id).
 */
import { existsSync } from 'node:fs';
import { and, desc, eq, max, ne } from 'drizzle-orm';
import type { ReleaseView, StepRecord } from '../../shared-protocol/api/releases.ts';
import type { Db } from '../db/open.ts';
import { apps, releases, type ReleaseStatus } from '../db/schema/index.ts';
import type { AppRow } from '../services/apps.ts';

export type ReleaseRow = typeof releases.$inferSelect;
export type ReleasePatch = Partial<Omit<typeof releases.$inferInsert, 'id' | 'appId' | 'number'>>;

export function createRelease(db: Db, app: AppRow, values: { releaseDir: string; createdBy: string | null; createdAt: Date }): ReleaseRow {
  return db.transaction((tx) => {
    const last = tx.select({ n: max(releases.number) }).from(releases).where(eq(releases.appId, app.id)).get()?.n ?? 0;
    return tx
      .insert(releases)
      .values({ appId: app.id, number: last + 1, status: 'pending', releaseDir: values.releaseDir, createdBy: values.createdBy, createdAt: values.createdAt })
      .returning()
      .get();
  });
}

export function updateRelease(db: Pick<Db, 'update'>, id: number, patch: ReleasePatch): void {
  if (Object.keys(patch).length > 0) db.update(releases).set(patch).where(eq(releases.id, id)).run();
}

export function deleteRelease(db: Db, id: number): void {
  db.delete(releases).where(eq(releases.id, id)).run();
}

export function releaseById(db: Db, id: number): ReleaseRow | undefined {
  return db.select().from(releases).where(eq(releases.id, id)).get();
}

export function releaseByNumber(db: Db, appId: number, number: number): ReleaseRow | undefined {
  return db.select().from(releases).where(and(eq(releases.appId, appId), eq(releases.number, number))).get();
}

/** The release serving traffic (apps.current_release_id), if any. */
export function currentRelease(db: Db, app: AppRow): ReleaseRow | undefined {
  return app.currentReleaseId === null ? undefined : releaseById(db, app.currentReleaseId);
}

export function listReleases(db: Db, appId: number): ReleaseRow[] {
  return db.select().from(releases).where(eq(releases.appId, appId)).orderBy(desc(releases.number)).all();
}

/** Releases still marked as in progress (a deploy that the server did not finish). */
export function unfinishedReleases(db: Db): ReleaseRow[] {
  return db
    .select()
    .from(releases)
    .all()
    .filter((r) => r.status === 'pending' || r.status === 'building' || r.status === 'starting');
}

/** Makes `next` the live, current release; the previous live one (if any) becomes superseded. */
export function switchLive(db: Db, app: AppRow, next: ReleaseRow, patch: ReleasePatch, now: Date): void {
  db.transaction((tx) => {
    tx.update(releases)
      .set({ status: 'superseded' })
      .where(and(eq(releases.appId, app.id), eq(releases.status, 'live'), ne(releases.id, next.id)))
      .run();
    tx.update(releases).set({ ...patch, status: 'live' }).where(eq(releases.id, next.id)).run();
    tx.update(apps).set({ currentReleaseId: next.id, state: 'running', updatedAt: now }).where(eq(apps.id, app.id)).run();
  });
}

export function setAppState(db: Db, app: AppRow, state: AppRow['state'], now: Date): void {
  db.update(apps).set({ state, updatedAt: now }).where(eq(apps.id, app.id)).run();
}

/** A release can be brought back when it went live once and its tree and env are still there. */
export function canRollBackTo(r: ReleaseRow, current: number | null): boolean {
  return r.status === 'superseded' && r.id !== current && r.envSealed !== null && r.releaseDir !== null && existsSync(r.releaseDir);
}

export function releaseView(r: ReleaseRow, current: number | null): ReleaseView {
  const error = r.errorCode === null ? null : { code: r.errorCode, message: r.errorMessage ?? '', ...(r.errorHint === null ? {} : { hint: r.errorHint }) };
  return {
    number: r.number,
    status: r.status as ReleaseStatus,
    current: r.id === current,
    rollback_available: canRollBackTo(r, current),
    created_at: r.createdAt.toISOString(),
    finished_at: r.finishedAt === null ? null : r.finishedAt.toISOString(),
    created_by: r.createdBy,
    builder: r.builder,
    config_hash: r.configHash,
    source_sha256: r.sourceSha256,
    env_keys: r.envKeys,
    processes: r.processes,
    build_ms: r.buildMs,
    deploy_ms: r.deployMs,
    steps: r.steps as StepRecord[],
    error,
  };
}
