/**
 * The build exec: argv arrays only (a user's shell command is run as
 * ["/bin/sh", "-c", cmd] by the caller, on purpose), its own process group,
 * a timeout (SIGTERM, then SIGKILL after a grace period), a cap on the output
 * delivered, and lines streamed as they come. Processes a step leaves behind
 * are killed when it exits.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { BuildExec, ExecOutcome, ExecRequest } from './types.ts';

/** Longest line delivered as one; longer output without a newline is split. */
export const MAX_LINE_BYTES = 64 * 1024;
export const KILL_GRACE_MS = 2000;

/** Splits a byte stream into lines; `push` returns the complete ones. */
export class LineSplitter {
  #rest = '';
  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    while (this.#rest.length > MAX_LINE_BYTES) {
      lines.push(this.#rest.slice(0, MAX_LINE_BYTES));
      this.#rest = this.#rest.slice(MAX_LINE_BYTES);
    }
    return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }
  flush(): string[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest === '' ? [] : [rest];
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* ESRCH: the group is already gone */
  }
}

function run(req: ExecRequest): Promise<ExecOutcome> {
  const file = req.argv[0];
  if (file === undefined || !isAbsolute(file)) return Promise.reject(new TypeError(`argv[0] must be an absolute path, got ${String(file)}`));
  const started = performance.now();
  return new Promise<ExecOutcome>((resolve, reject) => {
    const child = spawn(file, req.argv.slice(1), {
      cwd: req.cwd,
      env: { ...req.env },
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let delivered = 0;
    let truncated = false;
    let timedOut = false;
    const deliver = (stream: 'stdout' | 'stderr', lines: string[]): void => {
      for (const line of lines) {
        if (truncated) return;
        delivered += Buffer.byteLength(line) + 1;
        if (delivered > req.outputCapBytes) {
          truncated = true;
          return;
        }
        req.onLine(stream, line);
      }
    };
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    child.stdout.setEncoding('utf8').on('data', (s: string) => deliver('stdout', splitters.stdout.push(s)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => deliver('stderr', splitters.stderr.push(s)));
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    }, req.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      reject(new Hop3Error('E_BUILD_COMMAND_FAILED', `cannot run ${file}: ${e.message}`, { cause: e }));
    });
    // the step is over when its main process exits: whatever it left running goes too
    child.on('exit', () => killGroup(child.pid, 'SIGKILL'));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      deliver('stdout', splitters.stdout.flush());
      deliver('stderr', splitters.stderr.flush());
      resolve({ code, signal, timedOut, truncated, durationMs: performance.now() - started });
    });
  });
}

async function which(name: string, searchPath: string): Promise<string | null> {
  if (name.includes('/')) throw new TypeError(`which takes a bare command name, got ${name}`);
  for (const dir of searchPath.split(':')) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

export function createBuildExec(): BuildExec {
  return { run, which };
}
