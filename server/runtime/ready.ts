/**
 * Waiting for freshly started processes: web processes until their health
 * path answers, workers until their app process has stayed up a moment.
 * Meanwhile each vassal log is streamed (prefixed "web.1 | ") and watched for
 * a crash loop, which fails the wait at once with the last log lines.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Clock } from './clock.ts';
import { waitHealthy, type HealthResult } from './health.ts';
import type { RuntimeLayout } from './layout.ts';
import { CrashCounter, tailFile, type LogTail } from './log-watch.ts';
import { processLabel, type VassalId } from './names.ts';
import { vassalProcesses } from './process-table.ts';
import { childrenOf } from './procfs.ts';

export interface StartedProcess extends VassalId {
  readonly fileName: string;
  readonly port: number | null;
  readonly logFile: string;
  /** byte offset of the log when the vassal was written: what follows is this start */
  readonly logOffset: number;
}

export interface ReadyOptions {
  /** [run].start-timeout in ms (default 60 s) */
  readonly timeoutMs?: number;
  /** [healthcheck].path (default "/") */
  readonly healthPath?: string;
  /** [healthcheck].timeout in ms, per request */
  readonly requestTimeoutMs?: number;
  readonly host?: string;
  /** deaths that make a crash loop (default 2) */
  readonly crashThreshold?: number;
  /** how long a worker must stay up (default 1500 ms) */
  readonly settleMs?: number;
  /** no uWSGI master after this long: the emperor is not picking files up (default 10 s) */
  readonly emperorGraceMs?: number;
  readonly onLog?: (line: string) => void;
}

export interface ReadyResult {
  readonly label: string;
  readonly port: number | null;
  readonly pid: number | null;
  readonly elapsedMs: number;
  readonly health: HealthResult | null;
}

interface Watch {
  readonly proc: StartedProcess;
  readonly counter: CrashCounter;
  /** app processes seen dead but not yet reaped: uWSGI's master notices a death only on its 1 s cycle */
  readonly zombies: Set<number>;
  readonly recent: string[];
  readonly tail: LogTail;
}

function deaths(w: Watch): number {
  return Math.max(w.counter.deaths, w.zombies.size);
}

function crashError(w: Watch): Hop3Error {
  const label = processLabel(w.proc);
  return new Hop3Error('E_RUNTIME_CRASH_LOOP', `${label} exited ${deaths(w)} times right after starting; last log lines:\n${w.recent.join('\n')}`, {
    details: { process: label, deaths: deaths(w) },
  });
}

async function noteZombies(w: Watch, masterPid: number): Promise<void> {
  for (const child of await childrenOf(masterPid, { zombies: true })) if (child.state === 'Z') w.zombies.add(child.pid);
}

export async function waitReady(procs: readonly StartedProcess[], layout: RuntimeLayout, clock: Clock, opts: ReadyOptions = {}): Promise<ReadyResult[]> {
  const threshold = opts.crashThreshold ?? 2;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = clock.now();
  const watches: Watch[] = procs.map((proc) => {
    const counter = new CrashCounter();
    const recent: string[] = [];
    const label = processLabel(proc);
    const tail = tailFile(proc.logFile, proc.logOffset, (line) => {
      counter.feed(line);
      recent.push(line);
      if (recent.length > 20) recent.shift();
      opts.onLog?.(`${label} | ${line}`);
    }, clock);
    return { proc, counter, recent, tail, zombies: new Set<number>() };
  });
  let failure: Hop3Error | null = null;
  const check = async (w: Watch): Promise<void> => {
    if (failure !== null) throw failure;
    await w.tail.poll();
    const { master } = await vassalProcesses(layout, w.proc);
    if (master !== null) await noteZombies(w, master.pid);
    if (deaths(w) >= threshold) {
      await w.tail.poll();
      throw crashError(w);
    }
    const graceMs = Math.min(opts.emperorGraceMs ?? 10_000, timeoutMs);
    if (clock.now() - started > graceMs && w.counter.starts === 0 && master === null) {
      throw new Hop3Error('E_EMPEROR_UNAVAILABLE', `no uWSGI master appeared for ${processLabel(w.proc)} within ${Math.round(graceMs / 1000)} s`);
    }
  };
  const one = async (w: Watch): Promise<ReadyResult> => {
    const label = processLabel(w.proc);
    let health: HealthResult | null = null;
    if (w.proc.port !== null) {
      health = await waitHealthy({
        port: w.proc.port, timeoutMs, clock, check: () => check(w),
        ...(opts.healthPath === undefined ? {} : { path: opts.healthPath }),
        ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
        ...(opts.host === undefined ? {} : { host: opts.host }),
      });
    } else {
      await waitSettled(w, layout, clock, timeoutMs - (clock.now() - started), opts.settleMs ?? 1500, () => check(w));
    }
    await check(w);
    const pid = (await vassalProcesses(layout, w.proc)).daemons[0]?.pid ?? null;
    return { label, port: w.proc.port, pid, elapsedMs: clock.now() - started, health };
  };
  const guarded = (w: Watch): Promise<ReadyResult> => one(w).catch((e: unknown) => {
    failure ??= e instanceof Hop3Error ? e : new Hop3Error('E_INTERNAL', String(e), { cause: e });
    throw failure;
  });
  try {
    const settled = await Promise.allSettled(watches.map(guarded));
    if (failure !== null) throw failure;
    return settled.map((r) => (r as PromiseFulfilledResult<ReadyResult>).value);
  } finally {
    await Promise.all(watches.map((w) => w.tail.stop()));
  }
}

/** A worker is up when the same app process has been alive for `settleMs`. */
async function waitSettled(w: Watch, layout: RuntimeLayout, clock: Clock, timeoutMs: number, settleMs: number, check: () => Promise<void>): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  let seen: { pid: number; since: number } | null = null;
  while (clock.now() < deadline) {
    await check();
    const pid = (await vassalProcesses(layout, w.proc)).daemons[0]?.pid ?? null;
    if (pid === null) seen = null;
    else if (seen === null || seen.pid !== pid) seen = { pid, since: clock.now() };
    else if (clock.now() - seen.since >= settleMs) return;
    await clock.sleep(100);
  }
  throw new Hop3Error('E_RUNTIME_START_TIMEOUT', `${processLabel(w.proc)} was not up for ${settleMs} ms within ${Math.round(timeoutMs / 1000)} s`);
}
