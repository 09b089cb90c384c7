/**
 * Ending a failed deploy or rollback: the new release's processes are
 * stopped, nginx is pointed back at the previous release if the switch had
 * happened, the failure is recorded (deploys: on the release row, whose tree
 * is removed) and the end event says why.
 */
import { rm } from 'node:fs/promises';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { DeployState, PipelineDeps } from './context.ts';
import { describeFailure } from './failure.ts';
import { keptRelease, keptSite } from './release-site.ts';
import { releaseById, setAppState, updateRelease } from './releases-repo.ts';
import { applySite, removeSite } from './site.ts';
import { servesHttp } from './steps/switch.ts';

/**
 * Points the site back at the previous release's recorded ports and static
 * root, or removes it when the previous release served no HTTP (it had no
 * site). Best effort: logged when it fails.
 */
async function restorePreviousSite(deps: PipelineDeps, st: DeployState): Promise<void> {
  const prev = st.previous === undefined ? undefined : releaseById(deps.db, st.previous.id);
  if (prev === undefined) return;
  try {
    const site = keptSite(deps, st.app, prev, keptRelease(deps, st.app, prev), prev.webPorts);
    if (servesHttp(site)) await applySite(deps.rootd, st.app.name, site);
    else await removeSite(deps.rootd, st.app.name);
  } catch (e) {
    deps.log.error('could not point the site back at the previous release', { app: st.app.name, release: prev.number, err: e });
  }
}

export async function finishFailed(deps: PipelineDeps, st: DeployState, err: unknown, opts: { removeTree: boolean }): Promise<void> {
  const info = describeFailure(err);
  if (!isHop3Error(err)) deps.log.error('deploy failed unexpectedly', { app: st.app.name, release: st.release.number, err });
  else deps.log.info('deploy failed', { app: st.app.name, release: st.release.number, code: info.code });
  if (st.switched) await restorePreviousSite(deps, st);
  try {
    await deps.runtime.manager.stopRelease(st.app.name, st.rid);
  } catch (e) {
    deps.log.error('could not stop the processes of a failed release', { app: st.app.name, release: st.rid, err: e });
  }
  const now = deps.clock();
  if (opts.removeTree) {
    await rm(st.dir, { recursive: true, force: true });
    updateRelease(deps.db, st.release.id, {
      status: 'failed', errorCode: info.code, errorMessage: info.message, errorHint: info.hint ?? null,
      finishedAt: now, steps: st.steps, deployMs: Math.round(performance.now() - st.startedMs), releaseDir: null,
    });
    if (st.previous === undefined) setAppState(deps.db, st.app, 'failed', now);
  }
  st.run.end({ status: 'failed', kind: st.run.kind, release: st.release.number, duration_ms: Math.round(performance.now() - st.startedMs), error: info }, Date.now());
}
