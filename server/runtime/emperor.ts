/**
 * The uWSGI emperor: in production a system service (hop3-emperor) watching
 * the vassal directory; in tests and dev a plain child process started here.
 * Either way the server talks to it only through files in the vassal
 * directory, plus SIGWINCH (an immediate rescan) when it may signal it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { systemClock, type Clock } from './clock.ts';
import { isAlive } from './procfs.ts';

export const DEFAULT_UWSGI = '/usr/bin/uwsgi';

export interface EmperorOptions {
  readonly vassalDir: string;
  readonly pidFile: string;
  /** the emperor's own log (vassal logs go to their logto files) */
  readonly logFile: string;
  readonly binary?: string;
  /** directory scan period in seconds (default 1; SIGWINCH rescans at once) */
  readonly freqSec?: number;
  /** seconds the emperor waits for vassals when it stops, before SIGKILL (default 15) */
  readonly stopMercySec?: number;
  /** the environment apps inherit: keep it minimal (default PATH and LANG only) */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the process manager needs from an emperor, local or system-wide. */
export interface EmperorLink {
  readonly vassalDir: string;
  /** Asks for an immediate directory rescan; a no-op when it cannot signal the emperor. */
  wake(): Promise<void>;
}

export interface LocalEmperor extends EmperorLink {
  readonly pid: number;
  /** SIGINT (vassals stopped gracefully), then SIGKILL after timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
}

export function emperorArgv(opts: EmperorOptions): string[] {
  return [
    '--emperor', opts.vassalDir,
    '--emperor-freq', String(opts.freqSec ?? 1),
    '--emperor-pidfile', opts.pidFile,
    '--reload-mercy', String(opts.stopMercySec ?? 15),
  ];
}

export const DEFAULT_APP_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
};

/** Reads a pidfile; null when absent or not a live process. */
export async function readPidFile(path: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return (await isAlive(pid)) ? pid : null;
}

async function signalFromPidFile(pidFile: string | undefined, signal: NodeJS.Signals): Promise<void> {
  if (pidFile === undefined) return;
  const pid = await readPidFile(pidFile);
  if (pid === null) return;
  try {
    process.kill(pid, signal);
  } catch {
    // EPERM: a system emperor under another user; it rescans on its own period
  }
}

/** A link to an emperor someone else runs (production): only its directory and, optionally, its pidfile. */
export function systemEmperor(vassalDir: string, pidFile?: string): EmperorLink {
  return { vassalDir, wake: () => signalFromPidFile(pidFile, 'SIGWINCH') };
}

export async function startLocalEmperor(opts: EmperorOptions, clock: Clock = systemClock): Promise<LocalEmperor> {
  const logFd = openSync(opts.logFile, 'a', 0o600);
  let child;
  try {
    child = spawn(opts.binary ?? DEFAULT_UWSGI, emperorArgv(opts), {
      stdio: ['ignore', logFd, logFd],
      env: { ...(opts.env ?? DEFAULT_APP_ENV) },
    });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  let exitCode: number | null | undefined;
  void exited.then((c) => { exitCode = c; });
  const pid = child.pid;
  const deadline = clock.now() + 10_000;
  while (pid !== undefined && exitCode === undefined && (await readPidFile(opts.pidFile)) !== pid) {
    if (clock.now() > deadline) break;
    await clock.sleep(20);
  }
  if (pid === undefined || exitCode !== undefined || (await readPidFile(opts.pidFile)) !== pid) {
    if (pid !== undefined && exitCode === undefined) child.kill('SIGKILL');
    throw new Hop3Error('E_EMPEROR_UNAVAILABLE', `the uWSGI emperor did not start (see ${opts.logFile})`);
  }
  const wake = async (): Promise<void> => {
    if (exitCode === undefined) child.kill('SIGWINCH');
  };
  const stop = async (timeoutMs = 20_000): Promise<void> => {
    if (exitCode !== undefined) return;
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout' && exitCode === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { pid, vassalDir: opts.vassalDir, wake, stop };
}
