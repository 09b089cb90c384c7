/**
 * The process manager: starts a release's processes as uWSGI vassals, waits
 * for them, scales them, stops them, lists them. Two releases of one app run
 * side by side (each process has its own vassal and port), which is what the
 * deploy pipeline needs for zero downtime: start new, health-check, switch
 * nginx, then stop old. Narrow deps: the vassal store, the emperor link, the
 * port allocator, a clock and the runtime layout.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Clock } from './clock.ts';
import type { EmperorLink } from './emperor.ts';
import { logFileOf, pidFileOf, type RuntimeLayout } from './layout.ts';
import { fileSize } from './log-watch.ts';
import { checkVassalId, vassalFileName, type VassalId } from './names.ts';
import type { PortAllocator } from './ports.ts';
import { listProcesses, vassalProcesses, type ProcessStatus } from './process-table.ts';
import { isAlive } from './procfs.ts';
import { waitReady, type ReadyOptions, type ReadyResult, type StartedProcess } from './ready.ts';
import { renderVassal, type RenderedVassal } from './vassal.ts';
import type { VassalStore } from './vassal-store.ts';

export interface ProcessDef {
  readonly command: string;
  /** copies to run (web ×N gets N ports); 0 runs none */
  readonly count: number;
}

export interface ReleaseSpec {
  readonly app: string;
  readonly release: string;
  /** release directory */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** by process type; "web" processes get a port and PORT */
  readonly processes: Readonly<Record<string, ProcessDef>>;
  readonly user?: string;
  readonly group?: string;
  readonly killTimeoutSec?: number;
}

export interface ProcessManagerDeps {
  readonly store: VassalStore;
  readonly emperor: EmperorLink;
  readonly ports: PortAllocator;
  readonly clock: Clock;
  readonly layout: RuntimeLayout;
}

export const WEB = 'web';

export class ProcessManager {
  constructor(private readonly deps: ProcessManagerDeps) {}

  /** Writes the vassals of every process of `spec` (all or none) and returns them; does not wait. */
  async startRelease(spec: ReleaseSpec): Promise<StartedProcess[]> {
    const wanted: Array<{ type: string; index: number; command: string }> = [];
    for (const [type, def] of Object.entries(spec.processes)) {
      for (let index = 1; index <= def.count; index++) wanted.push({ type, index, command: def.command });
    }
    return this.start(spec, wanted);
  }

  /** Waits for started processes (see ready.ts); on failure the caller stops the release. */
  waitReady(procs: readonly StartedProcess[], opts: ReadyOptions = {}): Promise<ReadyResult[]> {
    return waitReady(procs, this.deps.layout, this.deps.clock, opts);
  }

  /** Runs `count` copies of `type` for the release: adds the missing indexes or stops the highest ones. */
  async scale(spec: ReleaseSpec, type: string, count: number): Promise<{ added: StartedProcess[]; removed: VassalId[] }> {
    const def = spec.processes[type];
    if (def === undefined) throw new Hop3Error('E_NOT_FOUND', `release ${spec.release} of ${spec.app} has no process type "${type}"`);
    if (!Number.isInteger(count) || count < 0 || count > 999) throw new Hop3Error('E_RUNTIME_INVALID_NAME', `invalid process count ${count}`);
    const current = (await this.vassalsOf(spec.app, spec.release)).filter((v) => v.type === type).sort((a, b) => a.index - b.index);
    const have = new Set(current.map((v) => v.index));
    const wanted: Array<{ type: string; index: number; command: string }> = [];
    for (let index = 1; index <= count; index++) if (!have.has(index)) wanted.push({ type, index, command: def.command });
    const removed = current.filter((v) => v.index > count);
    const added = await this.start(spec, wanted);
    await this.stopVassals(removed, spec.killTimeoutSec);
    return { added, removed };
  }

  /** Stops every process of a release: removes its vassals and waits until the processes are gone. */
  async stopRelease(app: string, release: string, killTimeoutSec?: number): Promise<VassalId[]> {
    const ids = await this.vassalsOf(app, release);
    await this.stopVassals(ids, killTimeoutSec);
    return ids;
  }

  /** Stops every process of an app, all releases (destroy). */
  async stopApp(app: string, killTimeoutSec?: number): Promise<VassalId[]> {
    const ids = (await this.deps.store.list()).map((v) => v.id).filter((id) => id.app === app);
    await this.stopVassals(ids, killTimeoutSec);
    return ids;
  }

  /** Restarts processes in place (emperor reload: about 1 s without them; deploys start a new release instead). */
  async restart(app: string, release?: string): Promise<VassalId[]> {
    const stored = (await this.deps.store.list()).filter((v) => v.id.app === app && (release === undefined || v.id.release === release));
    for (const v of stored) await this.deps.store.touch(v.fileName);
    await this.deps.emperor.wake();
    return stored.map((v) => v.id);
  }

  list(app?: string): Promise<ProcessStatus[]> {
    return listProcesses(this.deps.store, this.deps.layout, app);
  }

  private async vassalsOf(app: string, release: string): Promise<VassalId[]> {
    return (await this.deps.store.list()).map((v) => v.id).filter((id) => id.app === app && id.release === release);
  }

  private async start(spec: ReleaseSpec, wanted: ReadonlyArray<{ type: string; index: number; command: string }>): Promise<StartedProcess[]> {
    const { store, ports, layout } = this.deps;
    const held = new Set<number>();
    for (const v of await store.list()) if (v.meta?.port != null) held.add(v.meta.port);
    const allocated: number[] = [];
    const planned: Array<{ vassal: RenderedVassal; proc: Omit<StartedProcess, 'logOffset'> }> = [];
    try {
      for (const w of wanted) {
        const id = checkVassalId({ app: spec.app, release: spec.release, type: w.type, index: w.index });
        const port = w.type === WEB ? await ports.allocate(held) : null;
        if (port !== null) allocated.push(port);
        const logFile = logFileOf(layout, id);
        const vassal = renderVassal({
          ...id, command: w.command, cwd: spec.cwd, env: spec.env, logFile, pidFile: pidFileOf(layout, id),
          ...(port === null ? {} : { port }),
          ...(spec.user === undefined ? {} : { user: spec.user }),
          ...(spec.group === undefined ? {} : { group: spec.group }),
          ...(spec.killTimeoutSec === undefined ? {} : { killTimeoutSec: spec.killTimeoutSec }),
        });
        if ((await store.read(vassal.fileName)) !== null) {
          throw new Hop3Error('E_RUNTIME_ALREADY_RUNNING', `${vassal.fileName} already runs; stop release ${spec.release} first`);
        }
        planned.push({ vassal, proc: { ...id, fileName: vassal.fileName, port, logFile } });
      }
      const started: StartedProcess[] = [];
      try {
        for (const { vassal, proc } of planned) {
          await mkdir(dirname(proc.logFile), { recursive: true, mode: 0o750 });
          await mkdir(layout.runDir, { recursive: true, mode: 0o750 });
          const logOffset = await fileSize(proc.logFile);
          await store.write(vassal);
          started.push({ ...proc, logOffset });
        }
      } catch (e) {
        await this.stopVassals(started, spec.killTimeoutSec);
        throw e;
      }
      await this.deps.emperor.wake();
      return started;
    } finally {
      for (const p of allocated) ports.settle(p);
    }
  }

  private async stopVassals(ids: readonly VassalId[], killTimeoutSec = 10): Promise<void> {
    const { store, layout, clock } = this.deps;
    const targets: Array<{ id: VassalId; pids: number[]; groups: number[] }> = [];
    for (const id of ids) {
      const procs = await vassalProcesses(layout, id);
      const groups = procs.daemons.map((d) => d.pid);
      targets.push({ id, pids: [...(procs.master === null ? [] : [procs.master.pid]), ...groups], groups });
      await store.remove(vassalFileName(id));
    }
    if (targets.length === 0) return;
    await this.deps.emperor.wake();
    const alive = async (): Promise<number[]> => {
      const out: number[] = [];
      for (const t of targets) {
        // a master that started while we removed its file shows up through its pidfile
        const late = (await vassalProcesses(layout, t.id)).master;
        if (late !== null && !t.pids.includes(late.pid)) t.pids.push(late.pid);
        for (const pid of t.pids) if (await isAlive(pid)) out.push(pid);
      }
      return out;
    };
    const deadline = clock.now() + (killTimeoutSec + 5) * 1000;
    while ((await alive()).length > 0 && clock.now() < deadline) await clock.sleep(50);
    if ((await alive()).length > 0) {
      // the emperor did not stop them in time: kill what this vassal started, by pid (app groups first)
      for (const t of targets) {
        for (const g of t.groups) killQuietly(-g);
        for (const pid of t.pids) killQuietly(pid);
      }
      const hardDeadline = clock.now() + 2000;
      while ((await alive()).length > 0 && clock.now() < hardDeadline) await clock.sleep(50);
    }
    const left = await alive();
    for (const t of targets) await rm(pidFileOf(layout, t.id), { force: true });
    if (left.length > 0) {
      throw new Hop3Error('E_RUNTIME_STOP_TIMEOUT', `processes still alive after stop: ${left.join(', ')}`, { details: { pids: left } });
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone, or not ours to kill
  }
}
