/**
 * Steps 5-8, shared by deploy and rollback: start the release's processes,
 * health-check them, switch nginx to them, record the release as live and
 * prune old trees. The previous release is stopped by the caller once the
 * deploy has reported (stopSuperseded): traffic has already moved, so the
 * deploy's latency need not include its shutdown.
 */
import type { AppPlan } from '../../shared-protocol/config/index.ts';
import { runStep, say, type DeployState, type PipelineDeps } from './context.ts';
import { releaseId, staticRootParam } from './paths.ts';
import { switchLive, updateRelease } from './releases-repo.ts';
import { siteHostnames, siteUrl, type SiteSpec } from './site.ts';
import { readyPids, waitForRelease } from './steps/health.ts';
import { persistGenerated, pruneReleases } from './steps/record.ts';
import { applyLimits, attachToLimits, releaseSpec, runReleaseHooks, startProcesses } from './steps/start.ts';
import { stopPrevious, switchTraffic, webPorts } from './steps/switch.ts';

export interface ActivateOptions {
  /** run prerun/release commands (a deploy does; a rollback does not) */
  readonly hooks: boolean;
}

/** The site this release serves once live. */
export function releaseSite(deps: PipelineDeps, st: DeployState, plan: AppPlan, env: Readonly<Record<string, string>>): SiteSpec {
  return {
    hostnames: siteHostnames(deps.db, st.app, deps.settings.serverDomain, plan.config.domains, env),
    ports: webPorts(st.started),
    staticRoot: st.staticRoot === null ? null : staticRootParam(st.release.number, st.staticRoot),
  };
}

export interface Activated {
  readonly url: string | undefined;
  /** Stops the release this one replaced (logged; never fails the deploy). */
  readonly stopSuperseded: () => Promise<void>;
}

/** Runs start → health → switch → record. Throws with st.started/st.switched telling what to undo. */
export async function activate(deps: PipelineDeps, st: DeployState, plan: AppPlan, env: Readonly<Record<string, string>>, opts: ActivateOptions): Promise<Activated> {
  const { manager } = deps.runtime;
  let limited = false;
  st.run.status = 'starting';
  if (st.run.kind === 'deploy') updateRelease(deps.db, st.release.id, { status: 'starting', processes: st.scale });

  await runStep(st, deps, 'start', async () => {
    const hooks = opts.hooks ? await runReleaseHooks(plan, st.dir, env, (l) => say(st, 'start', l, 'hook')) : 0;
    limited = await applyLimits(deps.rootd, st.app.name, plan);
    st.started = await startProcesses(manager, releaseSpec(st.app.name, st.rid, st.dir, env, plan, st.scale));
    const procs = st.started.map((p) => `${p.type}.${p.index}${p.port === null ? '' : ` :${p.port}`}`).join(', ');
    const parts = [procs === '' ? 'no processes (static site)' : procs];
    if (hooks > 0) parts.push(`${hooks} release command(s) ran`);
    if (limited) parts.push('[limits] applied');
    return { detail: parts.join('; '), skipped: st.started.length === 0 && hooks === 0 };
  });

  await runStep(st, deps, 'health', async () => {
    if (st.started.length === 0) return { skipped: true, detail: 'no processes to check' };
    const { results, detail } = await waitForRelease(manager, {
      plan,
      started: st.started,
      defaultTimeoutS: deps.settings.startTimeoutS,
      onLog: (line) => say(st, 'health', line, 'app'),
    });
    if (limited) await attachToLimits(deps.rootd, st.app.name, readyPids(results));
    return { detail };
  });

  const site = releaseSite(deps, st, plan, env);
  const prev = st.previous === undefined || st.previous.id === st.release.id ? undefined : releaseId(st.previous.number);
  await runStep(st, deps, 'switch', async () => {
    st.switched = true;
    const detail = await switchTraffic(deps.rootd, st.app.name, site);
    return { detail: prev === undefined ? detail : `${detail}; ${prev} stops once this deploy reports` };
  });

  await runStep(st, deps, 'record', async () => {
    const now = deps.clock();
    const deployMs = Math.round(performance.now() - st.startedMs);
    deps.db.transaction((tx) => persistGenerated(tx, deps.secrets, st.app, st.generated, now));
    switchLive(deps.db, st.app, st.release, { processes: st.scale, port: site.ports[0] ?? null, webPorts: [...site.ports], finishedAt: now, ...(st.run.kind === 'deploy' ? { deployMs, steps: st.steps } : {}) }, now);
    const pruned = await pruneReleases(deps.db, st.app, st.release.id, deps.settings.keepReleases);
    return { detail: pruned.length === 0 ? `release ${st.release.number} live` : `release ${st.release.number} live; pruned trees of ${pruned.map((n) => `r${n}`).join(', ')}` };
  });
  // the record step's own timing is known only now
  if (st.run.kind === 'deploy') updateRelease(deps.db, st.release.id, { steps: st.steps });
  const app = st.app.name;
  return {
    url: siteUrl(site.hostnames),
    stopSuperseded: () => stopPrevious(manager, deps.log, app, prev, (l) => deps.log.info(l, { app })),
  };
}
