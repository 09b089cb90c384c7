/**
 * A recorded release's config, env and site, read back from its kept tree
 * and sealed env: what start, scale, rollback undo, host name changes and
 * startup reconcile need to run it or route to it again.
 */
import type { AppPlan } from '../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AppRow } from '../services/apps.ts';
import type { PipelineDeps } from './context.ts';
import { staticRootParam } from './paths.ts';
import type { ReleaseRow } from './releases-repo.ts';
import { siteHostnames, type SiteSpec } from './site.ts';
import { loadPlan } from './steps/config.ts';
import { openEnv } from './steps/env.ts';

export interface KeptRelease {
  readonly plan: AppPlan;
  readonly env: Record<string, string>;
  readonly dir: string;
}

export function keptRelease(deps: Pick<PipelineDeps, 'secrets'>, app: AppRow, r: ReleaseRow): KeptRelease {
  if (r.releaseDir === null || r.envSealed === null) {
    throw new Hop3Error('E_RELEASE_UNAVAILABLE', `release ${r.number} of ${app.name} has no kept tree or env`);
  }
  return { plan: loadPlan(r.releaseDir).plan, env: openEnv(deps.secrets, app.name, r.number, r.envSealed), dir: r.releaseDir };
}

export function keptSite(deps: Pick<PipelineDeps, 'db' | 'settings'>, app: AppRow, r: ReleaseRow, kept: KeptRelease, ports: readonly number[]): SiteSpec {
  return {
    hostnames: siteHostnames(deps.db, app, deps.settings.serverDomain, kept.plan.config.domains, kept.env),
    ports,
    staticRoot: r.staticRoot === null ? null : staticRootParam(r.number, r.staticRoot),
  };
}
