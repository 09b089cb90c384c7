/**
 * One-off commands in a release's environment: the `release` and
 * `before-run`/`prerun` hooks the pipeline runs before starting processes,
 * and `hop3 run -- <cmd>`. The command is a Procfile-style shell line, run as
 * `/bin/sh -c <line>` (argv array, no string building), in the release
 * directory, with the app env on top of the same minimal base the emperor
 * gives apps. Output is streamed line by line; a timeout kills the whole
 * process group.
 */
import { spawn } from 'node:child_process';
import { DEFAULT_APP_ENV } from './emperor.ts';

export interface OneOffOptions {
  /** a shell line (run with /bin/sh -c), or an argv array run as is (argv[0] looked up in the env's PATH) */
  readonly command: string | readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** default 10 minutes */
  readonly timeoutMs?: number;
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** base env under the app env (default PATH and LANG, as apps get under the emperor) */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /** aborting kills the whole process group (e.g. the `hop3 run` client went away) */
  readonly signal?: AbortSignal;
}

export interface OneOffResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

export function oneOffArgv(command: string | readonly string[]): [string, string[]] {
  if (typeof command !== 'string') {
    const [file, ...args] = command;
    if (file === undefined || file === '') throw new TypeError('an argv command needs a program');
    return [file, args];
  }
  return ['/bin/sh', ['-c', command]];
}

export function runOneOff(opts: OneOffOptions): Promise<OneOffResult> {
  const started = performance.now();
  const [file, args] = oneOffArgv(opts.command);
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...(opts.baseEnv ?? DEFAULT_APP_ENV), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pipeLines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onLine?.(line, name);
    });
    stream.on('end', () => {
      if (partial !== '') opts.onLine?.(partial, name);
    });
  };
  pipeLines(child.stdout, 'stdout');
  pipeLines(child.stderr, 'stderr');
  let timedOut = false;
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs ?? 600_000);
  opts.signal?.addEventListener('abort', killGroup, { once: true });
  if (opts.signal?.aborted === true) killGroup();
  return new Promise((resolve) => {
    child.once('error', () => {
      clearTimeout(timer);
      resolve({ exitCode: 127, signal: null, timedOut, durationMs: performance.now() - started });
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, durationMs: performance.now() - started });
    });
  });
}
