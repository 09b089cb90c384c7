/**
 * The running nginx master, seen through its pid file and /proc: whether it
 * is alive, and whether a reload produced a new worker generation. `nginx -s
 * reload` only sends SIGHUP; the master re-reads its config asynchronously
 * and, if that fails, keeps the old workers and only logs the error. Waiting
 * for new children turns that silent failure into a detectable one.
 */
import { promises as fsp } from 'node:fs';

export interface MasterProbe {
  /** The master's pid if the pid file names a live process, else null. */
  masterPid(): Promise<number | null>;
  /** Pids whose parent is `pid`. */
  children(pid: number): Promise<Set<number>>;
}

export function procMasterProbe(pidFile: string): MasterProbe {
  return {
    async masterPid() {
      let text: string;
      try {
        text = await fsp.readFile(pidFile, 'utf8');
      } catch {
        return null;
      }
      const pid = Number.parseInt(text.trim(), 10);
      if (!Number.isInteger(pid) || pid <= 1) return null;
      try {
        process.kill(pid, 0);
        return pid;
      } catch {
        return null;
      }
    },
    async children(pid) {
      const out = new Set<number>();
      for (const name of await fsp.readdir('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        let stat: string;
        try {
          stat = await fsp.readFile(`/proc/${name}/stat`, 'utf8');
        } catch {
          continue; // exited meanwhile
        }
        // "pid (comm) state ppid ...": comm may contain spaces and parens, so split after the last ')'.
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(rest[1]) === pid) out.add(Number(name));
      }
      return out;
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * After SIGHUP: true once a child that was not in `before` exists (the new
 * generation), then waits (bounded) for the old workers to leave so new
 * connections reach the new config. False if no new generation appears.
 */
export async function waitForNewGeneration(
  probe: MasterProbe,
  master: number,
  before: ReadonlySet<number>,
  timeoutMs = 5000,
  drainMs = 1000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await probe.children(master);
    if ([...now].some((p) => !before.has(p))) break;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  const drainDeadline = Date.now() + drainMs;
  while (Date.now() < drainDeadline) {
    const now = await probe.children(master);
    if (![...before].some((p) => now.has(p))) break;
    await sleep(20);
  }
  return true;
}
