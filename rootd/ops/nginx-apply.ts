/**
 * The apply/rollback sequence, shared by apply_site, remove_site and reconcile:
 *
 *   snapshot previous bytes → mark reload pending → write each candidate to a
 *   temp file and rename it into place (atomic) → `nginx -t` on the whole
 *   configuration → `nginx -s reload` → wait for the new worker generation
 *   → clear the pending mark.
 *
 * On any failure every touched file is restored byte-for-byte (or removed if
 * it did not exist) and E_NGINX_REJECTED carries nginx's first error line.
 *
 * Why test in place rather than a side copy: nginx -t then checks exactly the
 * configuration the reload will load (the operator's main conf, its include
 * glob, other sites, unmarked operator files, certificate files). The
 * candidate is on disk but unloaded only for the duration of `nginx -t`:
 * nginx reads files only when told to (start or reload), every reload rootd
 * issues goes through one serialized queue, and a crash in that window
 * leaves the pending mark, so reconcile re-tests and reloads (or restores
 * state's rendering) at the next start.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { SiteParams } from '../../shared-protocol/ops/nginx.ts';
import type { Exec } from '../exec.ts';
import type { GuardedPath } from '../path-guard.ts';
import { nginxFirstError, nginxReloadArgv, nginxTestArgv, type NginxConfig } from './nginx-argv.ts';
import { readIfExists, removeIfExists, writeAtomic } from './nginx-files.ts';
import { waitForNewGeneration, type MasterProbe } from './nginx-master.ts';

export interface NginxRuntime {
  readonly exec: Exec;
  readonly cfg: NginxConfig;
  /** Present when cfg.pid_file is set: liveness and reload confirmation. */
  readonly probe?: MasterProbe;
  /** <site_dir>/.hop3-reload-pending */
  readonly pendingPath: GuardedPath;
  /** How long to wait for the new worker generation after SIGHUP (default 5 s). */
  readonly reloadTimeoutMs?: number;
}

/** One file to install (content) or remove (null). */
export interface FileChange {
  readonly path: GuardedPath;
  readonly content: string | null;
}

export interface ApplyOptions {
  /** When nginx is known not to run: install + test only (it reads the files when it starts). */
  readonly reloadOnlyIfRunning?: boolean;
  /**
   * Written into the pending mark: the op in flight and the state record it replaced, so that
   * reconcile after a crash can revert an apply nginx would have rejected.
   */
  readonly pendingNote?: PendingNote;
}

/** JSON body of <site_dir>/.hop3-reload-pending. */
export interface PendingNote {
  readonly app: string;
  /** The app's state record before the op (null: it had none). */
  readonly prev: SiteParams | null;
}

export interface ApplyOutcome {
  /** Whether any file's bytes changed. */
  readonly changed: boolean;
  /** Whether a reload was issued and confirmed (or issued, without a probe). */
  readonly reloaded: boolean;
}

function rejected(line: string, step: string): Hop3Error {
  return new Hop3Error('E_NGINX_REJECTED', `nginx rejected the configuration (${step}): ${line}`, {
    hint: 'The previous site file was restored and nginx keeps serving it. Fix the cause named by nginx and apply again.',
    details: { step },
  });
}

async function restore(snapshots: ReadonlyArray<{ path: GuardedPath; prev: Buffer | null }>): Promise<void> {
  for (const s of [...snapshots].reverse()) {
    if (s.prev === null) await removeIfExists(s.path);
    else await writeAtomic(s.path, s.prev);
  }
}

/**
 * Install `changes`, test, reload. `force` runs test + reload even when no
 * bytes change (an explicit apply, or a pending mark from a crash).
 */
export async function applyFiles(rt: NginxRuntime, changes: readonly FileChange[], force: boolean, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const snapshots: Array<{ path: GuardedPath; prev: Buffer | null }> = [];
  let changed = false;
  for (const c of changes) {
    const prev = await readIfExists(c.path);
    snapshots.push({ path: c.path, prev });
    const same = c.content === null ? prev === null : prev !== null && prev.equals(Buffer.from(c.content, 'utf8'));
    if (!same) changed = true;
  }
  if (!changed && !force) return { changed: false, reloaded: false };

  await writeAtomic(rt.pendingPath, JSON.stringify({ note: 'hop3-rootd: a site swap is in flight', ...opts.pendingNote }) + '\n');
  try {
    for (const c of changes) {
      if (c.content === null) await removeIfExists(c.path);
      else await writeAtomic(c.path, c.content);
    }

    const test = await rt.exec({ bin: 'nginx', args: nginxTestArgv(rt.cfg) });
    if (test.code !== 0) throw rejected(nginxFirstError(test.stderr, test.stdout), 'nginx -t');

    let reloaded = false;
    const master = rt.probe ? await rt.probe.masterPid() : null;
    if (rt.probe && master === null) {
      if (!opts.reloadOnlyIfRunning) {
        throw rejected(`nginx is not running (no live master in ${rt.cfg.pid_file ?? 'its pid file'})`, 'reload');
      }
    } else {
      const before = rt.probe && master !== null ? await rt.probe.children(master) : null;
      const reload = await rt.exec({ bin: 'nginx', args: nginxReloadArgv(rt.cfg) });
      if (reload.code !== 0) throw rejected(nginxFirstError(reload.stderr, reload.stdout), 'reload');
      if (rt.probe && master !== null && before !== null) {
        const ok = await waitForNewGeneration(rt.probe, master, before, rt.reloadTimeoutMs);
        if (!ok) throw rejected('the nginx master did not start new workers after SIGHUP (see the nginx error log)', 'reload');
      }
      reloaded = true;
    }
    await removeIfExists(rt.pendingPath);
    return { changed, reloaded };
  } catch (e) {
    await restore(snapshots);
    // The previous files are back and nginx never loaded the candidate: nothing is pending.
    await removeIfExists(rt.pendingPath);
    throw e;
  }
}

/** One promise queue: applies, removes, reconciles and their reloads never interleave. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn, fn);
    this.tail = p.catch(() => undefined);
    return p;
  }
}
