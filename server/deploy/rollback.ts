/**
 * Rollback: bring a kept release back without a rebuild — its tree, its
 * config and its sealed env as they were — through the same start → health →
 * switch → record steps as a deploy (no release commands: they ran when it
 * was first deployed). A failed rollback leaves the current release serving
 * and the target release as it was.
 */
import type { DeployRef } from '../../shared-protocol/api/deploys.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { requireApp } from '../services/apps.ts';
import { activate } from './activate.ts';
import type { DeployState, PipelineDeps } from './context.ts';
import type { DeployRegistry } from './events.ts';
import { finishFailed } from './fail.ts';
import { releaseId } from './paths.ts';
import { canRollBackTo, currentRelease, listReleases, releaseByNumber, type ReleaseRow } from './releases-repo.ts';
import { loadPlan } from './steps/config.ts';
import { openEnv } from './steps/env.ts';

export function rollbackTarget(deps: Pick<PipelineDeps, 'db'>, appName: string, number: number | undefined): ReleaseRow {
  const { db } = deps;
  const app = requireApp(db, appName);
  const current = app.currentReleaseId;
  if (number === undefined) {
    const target = listReleases(db, app.id).find((r) => canRollBackTo(r, current));
    if (target === undefined) {
      throw new Hop3Error('E_RELEASE_UNAVAILABLE', `app ${appName} has no earlier release to roll back to`, { hint: 'See `hop3 releases`; only releases that were live and whose tree is kept can come back.' });
    }
    return target;
  }
  const target = releaseByNumber(db, app.id, number);
  if (target === undefined) throw new Hop3Error('E_RELEASE_NOT_FOUND', `app ${appName} has no release ${number}`);
  if (!canRollBackTo(target, current)) {
    const why = target.id === current ? 'it is the current release' : target.status !== 'superseded' ? `it is ${target.status}, it never served` : 'its tree was pruned';
    throw new Hop3Error('E_RELEASE_UNAVAILABLE', `release ${number} of ${appName} cannot be brought back: ${why}`);
  }
  return target;
}

export function createRollback(deps: PipelineDeps, registry: DeployRegistry) {
  async function run(st: DeployState): Promise<void> {
    try {
      const plan = loadPlan(st.dir).plan;
      if (st.release.envSealed === null) throw new Hop3Error('E_RELEASE_UNAVAILABLE', `release ${st.release.number} has no stored env`);
      const env = openEnv(deps.secrets, st.app.name, st.release.number, st.release.envSealed);
      await registry.whenSettled(st.app.name);
      const { url, stopSuperseded } = await activate(deps, st, plan, env, { hooks: false });
      registry.settle(st.app.name, stopSuperseded());
      st.run.end({ status: 'live', kind: 'rollback', release: st.release.number, duration_ms: Math.round(performance.now() - st.startedMs), ...(url === undefined ? {} : { url }) }, Date.now());
      deps.log.info('rollback live', { app: st.app.name, release: st.release.number });
    } catch (e) {
      await finishFailed(deps, st, e, { removeTree: false });
    }
  }

  return {
    start(appName: string, number: number | undefined): DeployRef {
      const target = rollbackTarget(deps, appName, number);
      const app = requireApp(deps.db, appName);
      const deploy = registry.begin(appName, 'rollback', target.number, deps.clock());
      const previous = currentRelease(deps.db, app);
      const st: DeployState = {
        run: deploy, app, release: target, rid: releaseId(target.number), dir: target.releaseDir ?? '', previous,
        steps: [], startedMs: performance.now(), staticRoot: target.staticRoot, generated: {},
        scale: { ...(previous?.processes ?? {}), ...target.processes }, started: [], switched: false,
      };
      // keep the current scale for the types the target also has
      for (const type of Object.keys(st.scale)) {
        if (!(type in target.processes)) delete st.scale[type];
        else if (previous?.processes[type] !== undefined) st.scale[type] = previous.processes[type];
      }
      deploy.status = 'starting';
      void run(st).finally(() => registry.finish(deploy));
      return deploy.ref();
    },
  };
}
