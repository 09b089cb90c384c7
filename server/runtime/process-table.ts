/**
 * What runs for a vassal: its uWSGI master (from the pidfile, checked against
 * the process's command line) and the app process(es) the master spawned.
 */
import { readPidFile } from './emperor.ts';
import { pidFileOf, type RuntimeLayout } from './layout.ts';
import { processLabel, vassalStem, type VassalId } from './names.ts';
import { childrenOf, readProc, type ProcInfo } from './procfs.ts';
import type { VassalStore } from './vassal-store.ts';

export interface VassalProcesses {
  readonly master: ProcInfo | null;
  /** processes the master spawned: the app (its pid is the app's thanks to `exec`) */
  readonly daemons: readonly ProcInfo[];
}

export type ProcessState = 'running' | 'starting' | 'down';

export interface ProcessStatus extends VassalId {
  /** "web.1" */
  readonly label: string;
  readonly fileName: string;
  readonly port: number | null;
  readonly masterPid: number | null;
  /** the app process, null while uWSGI (re)spawns it */
  readonly pid: number | null;
  readonly state: ProcessState;
}

export async function vassalProcesses(layout: RuntimeLayout, id: VassalId): Promise<VassalProcesses> {
  const pid = await readPidFile(pidFileOf(layout, id));
  if (pid === null) return { master: null, daemons: [] };
  const master = await readProc(pid);
  // a recycled pid would not carry the vassal's name (procname "hop3 <stem>" or "--ini <stem>.ini")
  const stem = vassalStem(id);
  if (master === null || !master.cmdline.includes(stem)) return { master: null, daemons: [] };
  // a child still carrying the vassal's name is uWSGI's fork waiting out a respawn throttle, not the app yet
  return { master, daemons: (await childrenOf(pid)).filter((c) => !c.cmdline.includes(stem)) };
}

export function stateOf(p: VassalProcesses): ProcessState {
  if (p.master === null) return 'down';
  return p.daemons.length > 0 ? 'running' : 'starting';
}

/** Every process of `app` (or of all apps), from the vassal files and /proc. */
export async function listProcesses(store: VassalStore, layout: RuntimeLayout, app?: string): Promise<ProcessStatus[]> {
  const out: ProcessStatus[] = [];
  for (const v of await store.list()) {
    if (app !== undefined && v.id.app !== app) continue;
    const procs = await vassalProcesses(layout, v.id);
    out.push({
      ...v.id,
      label: processLabel(v.id),
      fileName: v.fileName,
      port: v.meta?.port ?? null,
      masterPid: procs.master?.pid ?? null,
      pid: procs.daemons[0]?.pid ?? null,
      state: stateOf(procs),
    });
  }
  return out;
}
