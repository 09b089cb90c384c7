/**
 * The app lifecycle hooks the apps and domains services call:
 * - beforeDelete (DELETE /v1/apps/:app): stop every process (all releases),
 *   remove the nginx site and the cgroup leaf through rootd, remove the app's
 *   trees, cache and logs; the service then deletes the rows (releases, env,
 *   domains cascade). Any failure aborts the delete, so it can be retried.
 * - hostnamesChanged: re-apply the site of a serving app with its new names.
 */
import { rm } from 'node:fs/promises';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { appLogDir } from '../runtime/layout.ts';
import type { AppRow } from '../services/apps.ts';
import type { AppHooks } from '../services/hooks.ts';
import type { PipelineDeps } from './context.ts';
import type { DeployRegistry } from './events.ts';
import { appPaths } from './paths.ts';
import { keptRelease, keptSite } from './release-site.ts';
import { currentRelease } from './releases-repo.ts';
import { applySite, removeSite } from './site.ts';
import { servesHttp } from './steps/switch.ts';

export async function destroyApp(deps: PipelineDeps, app: AppRow): Promise<void> {
  await deps.runtime.manager.stopApp(app.name);
  await removeSite(deps.rootd, app.name);
  try {
    await deps.rootd.call('cgroup.remove', { app: app.name });
  } catch (e) {
    // no usable cgroup v2 here means no leaf was ever created for the app
    if (!(isHop3Error(e) && e.code === 'E_CGROUP_V2_UNAVAILABLE')) throw e;
  }
  await rm(appPaths(deps.settings.appRoot, app.name).appDir, { recursive: true, force: true });
  await rm(appLogDir(deps.runtime.layout, app.name), { recursive: true, force: true });
  deps.log.info('app destroyed', { app: app.name });
}

export function createHooks(deps: PipelineDeps, registry: DeployRegistry): AppHooks {
  return {
    async beforeDelete(app) {
      const unlock = registry.lock(app.name, 'destroy');
      try {
        await registry.whenSettled(app.name);
        await destroyApp(deps, app);
        registry.forget(app.name);
      } finally {
        unlock();
      }
    },
    async hostnamesChanged(app) {
      const release = currentRelease(deps.db, app);
      if (release === undefined || app.state !== 'running') return;
      const site = keptSite(deps, app, release, keptRelease(deps, app, release), release.webPorts);
      if (servesHttp(site)) await applySite(deps.rootd, app.name, site);
    },
  };
}
