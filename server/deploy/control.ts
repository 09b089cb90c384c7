/**
 * A deployed app's processes: list, status, start/stop/restart, scale. Each
 * change holds the app's lock (no deploy meanwhile) and keeps nginx on every
 * healthy web copy: new copies join the site once healthy, removed copies
 * leave it before they stop.
 */
import type { AppSummary } from '../../shared-protocol/api/apps.ts';
import type { AppAction, AppStatus, ProcessList, ProcessView, Scale } from '../../shared-protocol/api/processes.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { ProcessStatus } from '../runtime/process-table.ts';
import { WEB } from '../runtime/processes.ts';
import { requireApp, type AppRow } from '../services/apps.ts';
import type { PipelineDeps } from './context.ts';
import type { DeployRegistry } from './events.ts';
import { releaseId, releaseNumberOf } from './paths.ts';
import { keptRelease, keptSite } from './release-site.ts';
import { currentRelease, releaseView, setAppState, updateRelease, type ReleaseRow } from './releases-repo.ts';
import { applySite, siteUrl } from './site.ts';
import { healthOptions } from './steps/health.ts';
import { releaseSpec } from './steps/start.ts';
import { servesHttp } from './steps/switch.ts';

function view(p: ProcessStatus): ProcessView {
  return { label: p.label, type: p.type, index: p.index, release: releaseNumberOf(p.release) ?? 0, port: p.port, pid: p.pid, state: p.state };
}

export function createControl(deps: PipelineDeps, registry: DeployRegistry, summary: (app: string) => AppSummary) {
  const { db, runtime } = deps;

  function live(appName: string): { app: AppRow; release: ReleaseRow } {
    const app = requireApp(db, appName);
    const release = currentRelease(db, app);
    if (release === undefined) throw new Hop3Error('E_NO_LIVE_RELEASE', `app ${appName} has no live release yet`);
    return { app, release };
  }

  async function processes(app: string): Promise<ProcessStatus[]> {
    return runtime.manager.list(app);
  }

  async function list(appName: string): Promise<ProcessList> {
    const app = requireApp(db, appName);
    return { app: app.name, scale: currentRelease(db, app)?.processes ?? {}, processes: (await processes(app.name)).map(view) };
  }

  /** The web ports of the release's running copies, by index. */
  async function webPortsOf(app: string, rid: string, maxIndex = Infinity): Promise<number[]> {
    return (await processes(app)).filter((p) => p.release === rid && p.type === WEB && p.index <= maxIndex && p.port !== null).map((p) => p.port as number);
  }

  async function resite(app: AppRow, release: ReleaseRow, ports: readonly number[]): Promise<void> {
    const site = keptSite(deps, app, release, keptRelease(deps, app, release), ports);
    if (servesHttp(site)) await applySite(deps.rootd, app.name, site);
    updateRelease(db, release.id, { webPorts: [...ports].sort((a, b) => a - b), port: ports[0] ?? null });
  }

  async function start(app: AppRow, release: ReleaseRow): Promise<void> {
    const rid = releaseId(release.number);
    if ((await processes(app.name)).some((p) => p.release === rid)) return;
    const kept = keptRelease(deps, app, release);
    const started = await runtime.manager.startRelease(releaseSpec(app.name, rid, kept.dir, kept.env, kept.plan, release.processes));
    try {
      await runtime.manager.waitReady(started, healthOptions(kept.plan, deps.settings.startTimeoutS));
      await resite(app, release, started.flatMap((p) => (p.port === null ? [] : [p.port])));
    } catch (e) {
      await runtime.manager.stopRelease(app.name, rid);
      throw e;
    }
    setAppState(db, app, 'running', deps.clock());
  }

  async function scaleType(app: AppRow, release: ReleaseRow, type: string, count: number): Promise<void> {
    const kept = keptRelease(deps, app, release);
    const spec = releaseSpec(app.name, releaseId(release.number), kept.dir, kept.env, kept.plan, release.processes);
    const rid = releaseId(release.number);
    const before = (await processes(app.name)).filter((p) => p.release === rid && p.type === type).length;
    if (count > before) {
      const { added } = await runtime.manager.scale(spec, type, count);
      try {
        await runtime.manager.waitReady(added, healthOptions(kept.plan, deps.settings.startTimeoutS));
      } catch (e) {
        await runtime.manager.scale(spec, type, before);
        throw e;
      }
      if (type === WEB) await resite(app, release, await webPortsOf(app.name, rid));
    } else if (count < before) {
      if (type === WEB && count > 0) await resite(app, release, await webPortsOf(app.name, rid, count));
      await runtime.manager.scale(spec, type, count);
    }
  }

  async function locked<T>(app: string, what: string, work: () => Promise<T>): Promise<T> {
    const unlock = registry.lock(app, what);
    try {
      await registry.whenSettled(app);
      return await work();
    } finally {
      unlock();
    }
  }

  return {
    list,

    async status(appName: string): Promise<AppStatus> {
      const app = requireApp(db, appName);
      const release = currentRelease(db, app);
      let url: string | null = null;
      if (release !== undefined) {
        try {
          const site = keptSite(deps, app, release, keptRelease(deps, app, release), release.webPorts);
          url = servesHttp(site) ? (siteUrl(site.hostnames) ?? null) : null;
        } catch {
          url = null;
        }
      }
      return {
        app: summary(app.name),
        url,
        release: release === undefined ? null : releaseView(release, app.currentReleaseId),
        scale: release?.processes ?? {},
        processes: (await processes(app.name)).map(view),
        deploy: registry.active(app.name)?.ref() ?? null,
      };
    },

    action(appName: string, action: AppAction): Promise<ProcessList> {
      const { app, release } = live(appName);
      return locked(appName, action, async () => {
        if (action === 'start') await start(app, release);
        else if (action === 'stop') {
          await runtime.manager.stopApp(app.name);
          setAppState(db, app, 'stopped', deps.clock());
        } else {
          if (app.state === 'stopped') await start(app, release);
          else await runtime.manager.restart(app.name, releaseId(release.number));
        }
        return list(appName);
      });
    },

    scale(appName: string, scale: Scale): Promise<ProcessList> {
      const { app, release } = live(appName);
      for (const type of Object.keys(scale)) {
        if (!(type in release.processes)) {
          throw new Hop3Error('E_PROCESS_TYPE_NOT_FOUND', `release ${release.number} of ${appName} has no process type "${type}" (it has: ${Object.keys(release.processes).join(', ') || 'none'})`);
        }
      }
      return locked(appName, 'scale', async () => {
        const next = { ...release.processes };
        try {
          for (const [type, count] of Object.entries(scale)) {
            if (app.state !== 'stopped') await scaleType(app, release, type, count);
            next[type] = count;
          }
        } finally {
          updateRelease(db, release.id, { processes: next });
        }
        return list(appName);
      });
    },
  };
}

export type Control = ReturnType<typeof createControl>;
