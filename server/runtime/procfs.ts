/**
 * Reading the process table from /proc (Linux): liveness, parent links and
 * command lines. Read-only; signals are sent elsewhere, to pids found here.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  /** one-letter state from /proc/<pid>/stat (R, S, D, Z, T, ...) */
  readonly state: string;
  /** start time since boot, in clock ticks: with the pid, identifies one process */
  readonly startTicks: number;
  /** argv joined with spaces (a process may rewrite it: uWSGI's procname) */
  readonly cmdline: string;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** Parses /proc/<pid>/stat; comm may hold spaces and parentheses, so fields are read after the last ")". */
export function parseStat(text: string): { pid: number; ppid: number; state: string; startTicks: number } | null {
  const close = text.lastIndexOf(')');
  const open = text.indexOf(' (');
  if (close < 0 || open < 0) return null;
  const fields = text.slice(close + 2).trim().split(' ');
  const pid = Number(text.slice(0, open));
  const state = fields[0];
  const ppid = Number(fields[1]);
  const startTicks = Number(fields[19]);
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(ppid) || !Number.isFinite(startTicks)) return null;
  return { pid, ppid, state, startTicks };
}

export async function readProc(pid: number): Promise<ProcInfo | null> {
  const stat = await readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const parsed = parseStat(stat);
  if (parsed === null) return null;
  const cmdline = (await readText(`/proc/${pid}/cmdline`)) ?? '';
  return { ...parsed, cmdline: cmdline.replaceAll('\0', ' ').trim() };
}

/** True while `pid` exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const info = await readProc(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}

/** Direct children of `pid` (via /proc/<pid>/task/<tid>/children, else a full scan); zombies only on request. */
export async function childrenOf(pid: number, opts: { zombies?: boolean } = {}): Promise<ProcInfo[]> {
  let childPids: number[] = [];
  try {
    const tasks = await readdir(`/proc/${pid}/task`);
    for (const tid of tasks) {
      const text = await readText(`/proc/${pid}/task/${tid}/children`);
      if (text === null) throw new Error('no children file');
      childPids.push(...text.trim().split(/\s+/).filter((s) => s !== '').map(Number));
    }
  } catch {
    childPids = [];
    const entries = await readdir('/proc').catch(() => [] as string[]);
    for (const e of entries) {
      if (!/^[0-9]+$/.test(e)) continue;
      const stat = await readText(`/proc/${e}/stat`);
      const parsed = stat === null ? null : parseStat(stat);
      if (parsed !== null && parsed.ppid === pid) childPids.push(parsed.pid);
    }
  }
  const out: ProcInfo[] = [];
  for (const child of childPids) {
    const info = await readProc(child);
    if (info !== null && info.ppid === pid && (opts.zombies === true || info.state !== 'Z')) out.push(info);
  }
  return out;
}
