/**
 * Plugs the deploy pipeline into hop3-server (startServer's `extend`): the
 * app runtime (a local uWSGI emperor, or the system one's vassal dir), the
 * deploy registry, the pipeline, rollback, process control, the app
 * lifecycle hooks, the routes, and the startup reconcile.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppSummary } from '../../shared-protocol/api/apps.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { createAddonsPart, type AddonsOptions } from '../addons/extension.ts';
import { registerDeployRoutes } from '../routes/deploys.ts';
import { registerProcessRoutes } from '../routes/processes.ts';
import { systemClock } from '../runtime/clock.ts';
import { startLocalEmperor, systemEmperor, type EmperorLink, type LocalEmperor } from '../runtime/emperor.ts';
import { PortAllocator } from '../runtime/ports.ts';
import { ProcessManager } from '../runtime/processes.ts';
import { VassalStore } from '../runtime/vassal-store.ts';
import type { RenderedVassal } from '../runtime/vassal.ts';
import type { Extension, ServerContext } from '../server.ts';
import { createAppsService } from '../services/apps.ts';
import { NO_HOOKS } from '../services/hooks.ts';
import type { PipelineDeps } from './context.ts';
import { createControl } from './control.ts';
import { createHooks } from './destroy.ts';
import { DeployRegistry } from './events.ts';
import { createPipeline } from './pipeline.ts';
import { reconcileApps } from './reconcile.ts';
import { createRollback } from './rollback.ts';

/** A vassal store that reads an absent directory as "nothing runs" and refuses to write into one. */
class CheckedVassalStore extends VassalStore {
  override async list() {
    return existsSync(this.dir) ? super.list() : [];
  }
  override async write(vassal: RenderedVassal): Promise<void> {
    if (!existsSync(this.dir)) throw unavailable(this.dir);
    return super.write(vassal);
  }
}

function unavailable(dir: string): Hop3Error {
  return new Hop3Error('E_EMPEROR_UNAVAILABLE', `the vassal directory ${dir} does not exist: no uWSGI emperor is set up`, {
    hint: 'Install and start the hop3-emperor service watching runtime.vassal_dir, or set runtime.emperor = "local".',
  });
}

export interface DeployExtensionOptions {
  /** run the startup reconcile (default true); tests may await it through the returned extension */
  readonly reconcile?: boolean;
  /** Addon backends (tests); default: the operator config and the built-in factories. */
  readonly addons?: AddonsOptions;
}

export interface DeployExtension extends Extension {
  readonly deps: PipelineDeps;
  readonly registry: DeployRegistry;
  /** resolves when the startup reconcile is done */
  readonly reconciled: Promise<void>;
}

export async function createDeployExtension(ctx: ServerContext, opts: DeployExtensionOptions = {}): Promise<DeployExtension> {
  const { config, log } = ctx;
  const rt = config.runtime;
  let local: LocalEmperor | undefined;
  let emperor: EmperorLink;
  if (rt.emperor === 'local') {
    for (const d of [rt.vassal_dir, rt.run_dir, rt.log_dir]) mkdirSync(d, { recursive: true, mode: 0o750 });
    local = await startLocalEmperor({ vassalDir: rt.vassal_dir, pidFile: join(rt.run_dir, 'emperor.pid'), logFile: join(rt.log_dir, 'emperor.log'), binary: rt.uwsgi });
    emperor = local;
    log.info('started a local uWSGI emperor', { pid: local.pid, vassal_dir: rt.vassal_dir });
  } else {
    emperor = systemEmperor(rt.vassal_dir, rt.emperor_pidfile === '' ? undefined : rt.emperor_pidfile);
    if (!existsSync(rt.vassal_dir)) log.warn('the vassal directory does not exist: deploys will fail until the emperor is set up', { vassal_dir: rt.vassal_dir });
  }
  const store = new CheckedVassalStore(rt.vassal_dir);
  const layout = { runDir: rt.run_dir, logDir: rt.log_dir };
  const manager = new ProcessManager({ store, emperor, ports: new PortAllocator({ range: { min: rt.port_min, max: rt.port_max } }), clock: systemClock, layout });
  const addons = await createAddonsPart(ctx, opts.addons);
  const deps: PipelineDeps = {
    addons: addons.service,
    db: ctx.db,
    secrets: ctx.secrets,
    rootd: ctx.rootd,
    runtime: { manager, layout, clock: systemClock },
    clock: ctx.clock,
    log,
    settings: {
      appRoot: config.app_root,
      serverDomain: config.domain,
      startTimeoutS: config.app_start_timeout_s,
      keepReleases: config.keep_releases,
      runTimeoutS: config.run_timeout_s,
    },
  };
  const registry = new DeployRegistry();
  const appsService = createAppsService({ db: ctx.db, clock: ctx.clock, serverDomain: config.domain, hooks: NO_HOOKS });
  const summary = (name: string): AppSummary => {
    const d = appsService.get(name);
    return { name: d.name, state: d.state, created_at: d.created_at, updated_at: d.updated_at, current_release: d.current_release, hostnames: d.hostnames };
  };
  const pipeline = createPipeline(deps, { registry, createApp: (name) => void appsService.create(name) });
  const rollback = createRollback(deps, registry);
  const control = createControl(deps, registry, summary);
  const ensureRuntime = (): void => {
    if (!existsSync(rt.vassal_dir)) throw unavailable(rt.vassal_dir);
  };
  const reconciled =
    opts.reconcile === false || !existsSync(rt.vassal_dir)
      ? Promise.resolve()
      : reconcileApps(deps).then(
          () => undefined,
          (e: unknown) => log.error('deploy reconcile failed', { err: e }),
        );
  return {
    deps,
    registry,
    reconciled,
    hooks: createHooks(deps, registry),
    extraRoutes: (app, mount) => {
      registerDeployRoutes(app, mount, { db: ctx.db, pipeline, rollback, registry, log, ensureRuntime });
      registerProcessRoutes(app, mount, { control, pipeline: deps, ensureRuntime });
      addons.extraRoutes(app, mount);
    },
    close: async () => {
      await reconciled;
      await registry.allSettled(); // superseded releases finish stopping before the emperor goes
      if (local !== undefined) await local.stop();
      await addons.close();
    },
  };
}
