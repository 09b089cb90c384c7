/**
 * nginx.* handlers and reconcile.
 *
 * State discipline: the site params are recorded in state first, then the
 * file is swapped in, tested and reloaded (nginx-apply.ts); if that fails the
 * record is reverted and the caller gets a typed error. Reconcile re-renders
 * every site from state, removes marked files the state does not name, never
 * touches unmarked (operator) files, and tests + reloads once if anything
 * changed. Every apply, remove, reconcile and reload runs in one queue.
 */
import { promises as fsp } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { AppName } from '../../shared-protocol/ops/fields.ts';
import { SiteParams } from '../../shared-protocol/ops/nginx.ts';
import type { Exec } from '../exec.ts';
import type { RootdConfig } from '../config.ts';
import type { StateStore } from '../state.ts';
import { assertAppName, guardAppSrcTarget, guardUnder, type GuardedPath } from '../path-guard.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';
import { applyFiles, SerialQueue, type FileChange, type NginxRuntime, type PendingNote } from './nginx-apply.ts';
import { defaultFilePath, listMarkedFiles, parseMarker, pendingPath, readIfExists, siteFilePath } from './nginx-files.ts';
import { procMasterProbe, type MasterProbe } from './nginx-master.ts';
import { renderDefaultSite, renderSite, type RenderContext } from './nginx-render.ts';
import { assertNamesFree, serverNames, validateSite } from './nginx-validate.ts';

export interface NginxDeps {
  readonly exec: Exec;
  readonly state: StateStore;
  readonly nginx: RootdConfig['nginx'];
  /** Canonical APP_ROOT: static roots live under <APP_ROOT>/<app>/src/. */
  readonly appRoot: string;
  /** Override the /proc master probe derived from nginx.pid_file (tests). */
  readonly probe?: MasterProbe;
  /** How long a reload may take to start new workers (default 5 s). */
  readonly reloadTimeoutMs?: number;
}

/** One queue per rootd instance (keyed by its state store), shared by handlers and reconcile. */
const queues = new WeakMap<StateStore, SerialQueue>();
function queueFor(deps: NginxDeps): SerialQueue {
  let q = queues.get(deps.state);
  if (!q) {
    q = new SerialQueue();
    queues.set(deps.state, q);
  }
  return q;
}

function renderContext(cfg: RootdConfig['nginx']): Omit<RenderContext, 'staticRootPath'> {
  return { httpPort: cfg.http_port ?? 80, httpsPort: cfg.https_port ?? 443, ipv6: cfg.ipv6 ?? false, tlsDir: cfg.tls_dir };
}

async function runtime(deps: NginxDeps): Promise<NginxRuntime> {
  const probe = deps.probe ?? (deps.nginx.pid_file !== undefined ? procMasterProbe(deps.nginx.pid_file) : undefined);
  return {
    exec: deps.exec,
    cfg: deps.nginx,
    pendingPath: await pendingPath(deps.nginx.site_dir),
    ...(probe ? { probe } : {}),
    ...(deps.reloadTimeoutMs !== undefined ? { reloadTimeoutMs: deps.reloadTimeoutMs } : {}),
  };
}

/** <tls_dir>/<id>.crt and .key must be regular files (no symlinks), checked before nginx is touched. */
async function assertCertFiles(tlsDir: string, certId: string): Promise<void> {
  for (const ext of ['crt', 'key']) {
    const g = await guardUnder(tlsDir, [`${certId}.${ext}`]);
    const st = g.exists ? await fsp.lstat(g.path) : null;
    if (st === null || !st.isFile()) {
      throw new Hop3Error('E_TLS_CERT_MISSING', `certificate ${certId}: ${g.path} is missing or not a regular file`, {
        hint: `Provision ${certId}.crt and ${certId}.key in the rootd tls_dir, then apply the site again.`,
        details: { cert_id: certId },
      });
    }
  }
}

/** Validate, guard the static root, check the certificate files, render. Touches nothing. */
async function prepare(deps: NginxDeps, site: SiteParams): Promise<{ path: GuardedPath; content: string }> {
  validateSite(site);
  const ctx = renderContext(deps.nginx);
  let staticRootPath: string | undefined;
  if (site.static_root !== undefined) {
    staticRootPath = (await guardAppSrcTarget(deps.appRoot, site.app, site.static_root)).path;
  }
  if (site.tls !== undefined) await assertCertFiles(deps.nginx.tls_dir, site.tls.cert_id);
  const content = renderSite(site, staticRootPath === undefined ? ctx : { ...ctx, staticRootPath });
  return { path: await siteFilePath(deps.nginx.site_dir, site.app), content };
}

async function defaultChange(deps: NginxDeps): Promise<FileChange> {
  return { path: await defaultFilePath(deps.nginx.site_dir), content: renderDefaultSite(renderContext(deps.nginx)) };
}

/** Only the schema's keys, in a fixed order (what state keeps). */
function normalize(site: SiteParams): SiteParams {
  return {
    app: site.app,
    hostnames: [...site.hostnames],
    ...(site.upstream_ports !== undefined ? { upstream_ports: [...site.upstream_ports] } : {}),
    ...(site.static_root !== undefined ? { static_root: site.static_root } : {}),
    ...(site.tls !== undefined ? { tls: { cert_id: site.tls.cert_id } } : {}),
    ...(site.endpoints !== undefined ? { endpoints: site.endpoints.map((e) => ({ ...e })) } : {}),
  };
}

async function restoreRecord(deps: NginxDeps, app: string, prev: SiteParams | undefined): Promise<void> {
  await deps.state.update((d) => {
    if (prev === undefined) delete d.nginx.sites[app];
    else d.nginx.sites[app] = prev;
  });
}

function firstLineOf(buf: Buffer): string {
  return buf.subarray(0, 256).toString('utf8').split('\n')[0] ?? '';
}

/** The file at `path` is absent or carries rootd's marker for `app`; an unmarked file is the operator's. */
async function assertOursOrAbsent(path: GuardedPath, app: string): Promise<void> {
  const disk = await readIfExists(path);
  if (disk === null) return;
  const marker = parseMarker(firstLineOf(disk));
  if (marker?.kind === 'site' && marker.app === app) return;
  throw new Hop3Error('E_NGINX_SITE_CONFLICT', `${path} exists and is not a rootd-managed site file for ${app}`, {
    hint: 'Rename or move that operator file out of the site directory; rootd never overwrites unmarked files.',
  });
}

export function createNginxHandlers(deps: NginxDeps): FamilyHandlers<'nginx'> {
  const queue = queueFor(deps);
  return {
    'nginx.apply_site': (params) =>
      queue.run(async () => {
        validateSite(params);
        const site = normalize(params);
        const names = serverNames(site);
        assertNamesFree(deps.state.current.nginx, site.app, names);
        const { path, content } = await prepare(deps, site);
        await assertOursOrAbsent(path, site.app);
        const rt = await runtime(deps);
        const changes = [await defaultChange(deps), { path, content }];
        const prev = deps.state.current.nginx.sites[site.app];
        await deps.state.update((d) => {
          d.nginx.sites[site.app] = site;
        });
        try {
          const out = await applyFiles(rt, changes, true, { pendingNote: { app: site.app, prev: prev ?? null } });
          return { app: site.app, server_names: names, changed: out.changed };
        } catch (e) {
          await restoreRecord(deps, site.app, prev);
          throw e;
        }
      }),

    'nginx.remove_site': ({ app }) =>
      queue.run(async () => {
        assertAppName(app);
        const path = await siteFilePath(deps.nginx.site_dir, app);
        const prev = deps.state.current.nginx.sites[app];
        const onDisk = await readIfExists(path);
        const marker = onDisk === null ? null : parseMarker(firstLineOf(onDisk));
        const ours = marker?.kind === 'site' && marker.app === app;
        if (prev === undefined && !ours) return { removed: false };
        if (prev !== undefined) {
          await deps.state.update((d) => {
            delete d.nginx.sites[app];
          });
        }
        try {
          // An unmarked <app>.conf is the operator's: never removed, even if state named the app.
          if (ours) await applyFiles(await runtime(deps), [{ path, content: null }], false, { pendingNote: { app, prev: prev ?? null } });
        } catch (e) {
          await restoreRecord(deps, app, prev);
          throw e;
        }
        return { removed: true };
      }),

    'nginx.list_sites': async () => {
      const sites = [];
      const state = deps.state.current.nginx.sites;
      for (const app of Object.keys(state).sort()) {
        const site = state[app];
        if (site === undefined) continue;
        let inSync = false;
        try {
          const { path, content } = await prepare(deps, site);
          const disk = await readIfExists(path);
          inSync = disk !== null && disk.equals(Buffer.from(content, 'utf8'));
        } catch {
          inSync = false;
        }
        sites.push({ ...site, in_sync: inSync });
      }
      return { sites };
    },
  };
}

interface Pass {
  readonly changes: string[];
  readonly errors: string[];
  /** nginx rejected the planned files (they were restored). */
  readonly rejected: boolean;
}

/** One reconcile pass: plan the files from state, install, test, reload once. */
async function reconcilePass(deps: NginxDeps, rt: NginxRuntime, force: boolean): Promise<Pass> {
  const changes: string[] = [];
  const errors: string[] = [];
  const desired = new Map<string, FileChange>();
  const keep = new Set<string>();
  const def = await defaultChange(deps);
  desired.set(def.path, def);
  for (const [app, site] of Object.entries(deps.state.current.nginx.sites)) {
    try {
      const { path, content } = await prepare(deps, site);
      await assertOursOrAbsent(path, app);
      desired.set(path, { path, content });
    } catch (e) {
      keep.add(await siteFilePath(deps.nginx.site_dir, app));
      errors.push(`site ${app} cannot be rendered (${(e as Error).message}); its file is left as it is`);
    }
  }
  const fileChanges: FileChange[] = [];
  const notes: string[] = [];
  for (const c of desired.values()) {
    const disk = await readIfExists(c.path);
    if (disk === null || c.content === null || !disk.equals(Buffer.from(c.content, 'utf8'))) {
      fileChanges.push(c);
      notes.push(`${disk === null ? 'wrote' : 'rewrote'} ${c.path}`);
    }
  }
  for (const m of await listMarkedFiles(deps.nginx.site_dir)) {
    if (desired.has(m.path) || keep.has(m.path)) continue;
    fileChanges.push({ path: (await guardUnder(deps.nginx.site_dir, [m.name])).path, content: null });
    notes.push(`removed ${m.path} (marked as rootd's, not in state)`);
  }
  if (fileChanges.length === 0 && !force) return { changes, errors, rejected: false };
  try {
    const out = await applyFiles(rt, fileChanges, force, { reloadOnlyIfRunning: true });
    changes.push(...notes);
    changes.push(out.reloaded ? 'nginx tested and reloaded' : 'nginx tested; it is not running and reads the files when it starts');
    return { changes, errors, rejected: false };
  } catch (e) {
    errors.push(`nothing changed, the previous files were restored: ${(e as Error).message}`);
    return { changes, errors, rejected: true };
  }
}

const pendingCheck = TypeCompiler.Compile(
  Type.Object({ note: Type.String(), app: AppName, prev: Type.Union([SiteParams, Type.Null()]) }, { additionalProperties: false }),
);

/** The op a crash interrupted, from the pending mark (null if none or unreadable). */
function parsePending(buf: Buffer): PendingNote | null {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    return pendingCheck.Check(v) ? { app: v.app, prev: v.prev } : null;
  } catch {
    return null;
  }
}

/**
 * Re-assert what the state says; remove what rootd owns that the state does
 * not. If a crash interrupted an apply (pending mark) and nginx rejects what
 * state now says, that apply never succeeded for its caller: its record is
 * reverted to the one the mark saved and the pass runs again, so a kill -9
 * between "record" and "revert" cannot leave nginx rejecting every change.
 */
export function reconcileNginx(deps: NginxDeps): Promise<ReconcileReport> {
  return queueFor(deps).run(async () => {
    const rt = await runtime(deps);
    const pendingBuf = await readIfExists(rt.pendingPath);
    const interrupted = pendingBuf === null ? null : parsePending(pendingBuf);
    const first = await reconcilePass(deps, rt, pendingBuf !== null);
    if (pendingBuf !== null && !first.rejected) first.changes.unshift('a site swap was interrupted: configuration re-tested');
    if (!first.rejected || interrupted === null) return { changes: first.changes, errors: first.errors };
    await deps.state.update((d) => {
      if (interrupted.prev === null) delete d.nginx.sites[interrupted.app];
      else d.nginx.sites[interrupted.app] = interrupted.prev;
    });
    const second = await reconcilePass(deps, rt, true);
    return {
      changes: [`reverted the interrupted change to site ${interrupted.app} (nginx rejected it)`, ...second.changes],
      errors: [...first.errors.map((e) => `before revert: ${e}`), ...second.errors],
    };
  });
}

export function countNginx(deps: Pick<NginxDeps, 'state'>): number {
  return Object.keys(deps.state.current.nginx.sites).length;
}
