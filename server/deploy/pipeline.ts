/**
 * The deploy pipeline. `accept` receives the upload (step 1) while the client
 * waits, then answers with the deploy; the rest runs in the background and
 * cannot be aborted by the client going away:
 *
 *   receive → config → build → env → start → health → switch → record
 *
 * Each step is timed into the deploy's events and the release row. A failure
 * at any step leaves the previous release serving and untouched: the new
 * release's processes are stopped, its tree removed, its row marked failed
 * with {code, message, hint}.
 */
import type { Readable } from 'node:stream';
import type { DeployRef } from '../../shared-protocol/api/deploys.ts';
import type { AppPlan } from '../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { apps } from '../db/schema/index.ts';
import { findApp, type AppRow } from '../services/apps.ts';
import { createEnvService } from '../services/env.ts';
import { eq } from 'drizzle-orm';
import { activate } from './activate.ts';
import { runStep, say, type DeployState, type PipelineDeps } from './context.ts';
import type { DeployRegistry, DeployRun } from './events.ts';
import { finishFailed } from './fail.ts';
import { appPaths, releaseDir, releaseId } from './paths.ts';
import { createRelease, currentRelease, deleteRelease, updateRelease } from './releases-repo.ts';
import { storedDomains } from './site.ts';
import { buildRelease } from './steps/build.ts';
import { initialScale, validateForDeploy } from './steps/config.ts';
import { resolveReleaseEnv, sealEnv } from './steps/env.ts';
import { prepareSrcDir, receiveUpload } from './steps/receive.ts';

export interface AcceptOptions {
  readonly createdBy: string | null;
}

export interface PipelineExtras {
  readonly registry: DeployRegistry;
  /** Creates an app (name and default host name checks of the apps service). */
  readonly createApp: (name: string) => void;
}

export function createPipeline(deps: PipelineDeps, extras: PipelineExtras) {
  const { db, settings } = deps;
  const { registry } = extras;
  const envService = createEnvService({ db, secrets: deps.secrets, clock: deps.clock });

  async function accept(appName: string, source: Readable, opts: AcceptOptions): Promise<DeployRef> {
    let created = false;
    if (findApp(db, appName) === undefined) {
      extras.createApp(appName);
      created = true;
    }
    const app = findApp(db, appName) as AppRow;
    let run: DeployRun;
    try {
      run = registry.begin(appName, 'deploy', 1, deps.clock());
    } catch (e) {
      source.resume();
      throw e;
    }
    const now = deps.clock();
    const release = createRelease(db, app, { releaseDir: '', createdBy: opts.createdBy, createdAt: now });
    const dir = releaseDir(settings.appRoot, app.name, release.number);
    updateRelease(db, release.id, { releaseDir: dir });
    run.release = release.number;
    const st: DeployState = {
      run, app, release: { ...release, releaseDir: dir }, rid: releaseId(release.number), dir, previous: currentRelease(db, app),
      steps: [], startedMs: performance.now(), staticRoot: null, generated: {}, scale: {}, started: [], switched: false,
    };
    try {
      await runStep(st, deps, 'receive', async () => {
        await prepareSrcDir(appPaths(settings.appRoot, app.name).srcDir);
        const r = await receiveUpload(source, dir, settings.uploadLimits);
        updateRelease(db, release.id, { sourceSha256: r.sha256, status: 'building' });
        return { detail: `${r.files} files, ${r.receivedBytes} bytes (sha256 ${r.sha256.slice(0, 12)})` };
      });
    } catch (e) {
      // a refused upload changes nothing: no release row, no new app
      deleteRelease(db, release.id);
      if (created) db.delete(apps).where(eq(apps.id, app.id)).run();
      registry.discard(run);
      throw e;
    }
    run.status = 'building';
    void continueDeploy(st).finally(() => registry.finish(run));
    return run.ref();
  }

  async function continueDeploy(st: DeployState): Promise<void> {
    const { app, dir } = st;
    try {
      const stored = envService.values(app.name);
      let plan!: AppPlan;
      await runStep(st, deps, 'config', async () => {
        const loaded = validateForDeploy(db, app, dir, settings.serverDomain);
        for (const w of loaded.warnings) say(st, 'config', w);
        plan = loaded.plan;
        st.scale = initialScale(plan, st.previous?.processes);
        updateRelease(db, st.release.id, { configHash: loaded.hash });
        const types = Object.entries(st.scale).map(([t, n]) => `${t}×${n}`).join(', ');
        return { detail: `${loaded.plan.config.metadata.id ?? app.name}: ${types === '' ? 'no processes' : types}` };
      });
      await runStep(st, deps, 'build', async () => {
        const started = performance.now();
        const r = await buildRelease({ plan, releaseDir: dir, cacheDir: appPaths(settings.appRoot, app.name).cacheDir, appEnv: stored, onLine: (l) => say(st, 'build', l, 'build') });
        st.staticRoot = r.staticRoot;
        updateRelease(db, st.release.id, { builder: r.build.toolchain, buildMs: Math.round(performance.now() - started), staticRoot: r.staticRoot });
        return { detail: r.detail };
      });
      let env: Record<string, string> = {};
      await runStep(st, deps, 'env', async () => {
        const hostnames = [...storedDomains(db, app), ...(plan.config.domains?.list ?? [])];
        for (const line of (await deps.addons?.ensureDeclared(app.name, plan.config.addons)) ?? []) say(st, 'env', line);
        const addons = deps.addons?.factsForApp(app.name) ?? [];
        const resolved = resolveReleaseEnv({ plan, app: app.name, stored, hostnames, addons });
        env = resolved.env;
        for (const k of resolved.generated) st.generated[k] = resolved.env[k] ?? '';
        for (const [k, v] of Object.entries(resolved.displayOnce)) st.run.secret(k, v);
        const keys = Object.keys(env);
        updateRelease(db, st.release.id, { envKeys: keys, envSealed: sealEnv(deps.secrets, app.name, st.release.number, env) });
        return { detail: `${keys.length} vars${resolved.generated.length > 0 ? `, generated ${resolved.generated.join(', ')}` : ''}` };
      });
      await registry.whenSettled(app.name); // the release before the current one may still be stopping
      const { url, stopSuperseded } = await activate(deps, st, plan, env, { hooks: true });
      registry.settle(app.name, stopSuperseded());
      st.run.end({ status: 'live', kind: 'deploy', release: st.release.number, duration_ms: Math.round(performance.now() - st.startedMs), ...(url === undefined ? {} : { url }) }, Date.now());
      deps.log.info('deploy live', { app: app.name, release: st.release.number, ms: Math.round(performance.now() - st.startedMs) });
    } catch (e) {
      await finishFailed(deps, st, e, { removeTree: true });
    }
  }

  return { accept };
}

export type Pipeline = ReturnType<typeof createPipeline>;

export function assertAppExists(app: AppRow | undefined, name: string): AppRow {
  if (app === undefined) throw new Hop3Error('E_APP_NOT_FOUND', `no app is named ${name}`);
  return app;
}
