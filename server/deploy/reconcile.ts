/**
 * At server start, make the runtime match the records:
 * - deploys the server did not finish (pending/building/starting releases)
 *   are failed with E_DEPLOY_INTERRUPTED, their processes and trees removed;
 * - vassals of releases that are not current are removed (a crash between
 *   "start new" and "stop old");
 * - a running app whose current release has no vassal is started again from
 *   its kept tree and env, health-checked, and its site re-applied.
 * Each app is handled on its own: one failure is logged, the others proceed.
 */
import { rm } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { apps } from '../db/schema/index.ts';
import type { PipelineDeps } from './context.ts';
import { DEPLOY_ERRORS } from './errors.ts';
import { releaseId } from './paths.ts';
import { keptRelease, keptSite } from './release-site.ts';
import { currentRelease, releaseById, unfinishedReleases, updateRelease } from './releases-repo.ts';
import { applySite } from './site.ts';
import { healthOptions } from './steps/health.ts';
import { releaseSpec } from './steps/start.ts';
import { servesHttp } from './steps/switch.ts';

export interface ReconcileReport {
  interrupted: number;
  strays: number;
  restarted: string[];
  failed: string[];
}

export async function reconcileApps(deps: PipelineDeps): Promise<ReconcileReport> {
  const { db, runtime, log } = deps;
  const report: ReconcileReport = { interrupted: 0, strays: 0, restarted: [], failed: [] };
  const now = deps.clock();
  for (const r of unfinishedReleases(db)) {
    const app = db.select().from(apps).where(eq(apps.id, r.appId)).get();
    if (app === undefined) continue;
    await runtime.manager.stopRelease(app.name, releaseId(r.number)).catch((e: unknown) => log.warn('reconcile: stop failed', { app: app.name, err: e }));
    if (r.releaseDir !== null) await rm(r.releaseDir, { recursive: true, force: true });
    const info = DEPLOY_ERRORS.E_DEPLOY_INTERRUPTED;
    updateRelease(db, r.id, { status: 'failed', errorCode: 'E_DEPLOY_INTERRUPTED', errorMessage: info.meaning, errorHint: info.hint, finishedAt: now, releaseDir: null });
    report.interrupted++;
  }
  const running = await runtime.manager.list();
  for (const app of db.select().from(apps).all()) {
    const current = currentRelease(db, app);
    const rid = current === undefined ? undefined : releaseId(current.number);
    const mine = running.filter((p) => p.app === app.name);
    const strays = [...new Set(mine.filter((p) => p.release !== rid).map((p) => p.release))];
    for (const s of strays) {
      await runtime.manager.stopRelease(app.name, s).catch((e: unknown) => log.warn('reconcile: stop failed', { app: app.name, err: e }));
      report.strays++;
    }
    if (current === undefined || rid === undefined || app.state !== 'running') continue;
    if (mine.some((p) => p.release === rid) || Object.values(current.processes).every((n) => n === 0)) continue;
    try {
      const fresh = releaseById(db, current.id) ?? current;
      const kept = keptRelease(deps, app, fresh);
      const started = await runtime.manager.startRelease(releaseSpec(app.name, rid, kept.dir, kept.env, kept.plan, fresh.processes));
      await runtime.manager.waitReady(started, healthOptions(kept.plan, deps.settings.startTimeoutS));
      const ports = started.flatMap((p) => (p.port === null ? [] : [p.port]));
      const site = keptSite(deps, app, fresh, kept, ports);
      if (servesHttp(site)) await applySite(deps.rootd, app.name, site);
      updateRelease(db, fresh.id, { webPorts: ports, port: ports[0] ?? null });
      report.restarted.push(app.name);
    } catch (e) {
      log.error('reconcile: could not start the current release', { app: app.name, release: current.number, err: e });
      report.failed.push(app.name);
    }
  }
  log.info('deploy reconcile done', { ...report });
  return report;
}
