/**
 * `hop3 run`: a one-off command in the current release's tree with its env
 * (no PORT), streamed as SSE `output` events and one `exit` event. The
 * command's process group is killed at the timeout or when the client leaves.
 */
import type { RunExitEvent, RunOutputEvent } from '../../shared-protocol/api/processes.ts';
import type { SseEvent } from '../../shared-protocol/api/sse.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { runOneOff } from '../runtime/oneoff.ts';
import { requireApp } from '../services/apps.ts';
import type { PipelineDeps } from './context.ts';
import { keptRelease } from './release-site.ts';
import { currentRelease } from './releases-repo.ts';

export interface RunRequest {
  readonly command: string | readonly string[];
  readonly timeoutS: number;
}

export function prepareRun(deps: PipelineDeps, appName: string): { cwd: string; env: Record<string, string> } {
  const app = requireApp(deps.db, appName);
  const release = currentRelease(deps.db, app);
  if (release === undefined) throw new Hop3Error('E_NO_LIVE_RELEASE', `app ${appName} has no live release to run commands in`);
  const kept = keptRelease(deps, app, release);
  return { cwd: kept.dir, env: kept.env };
}

export async function* runCommand(where: { cwd: string; env: Record<string, string> }, req: RunRequest): AsyncGenerator<SseEvent> {
  const queue: SseEvent[] = [];
  let wake: (() => void) | null = null;
  let result: RunExitEvent | null = null;
  const abort = new AbortController();
  const push = (ev: SseEvent): void => {
    queue.push(ev);
    wake?.();
  };
  const done = runOneOff({
    command: req.command,
    cwd: where.cwd,
    env: where.env,
    timeoutMs: req.timeoutS * 1000,
    signal: abort.signal,
    onLine: (line, stream) => push({ event: 'output', data: JSON.stringify({ stream, line } satisfies RunOutputEvent) }),
  }).then((r) => {
    result = { exit_code: r.exitCode, signal: r.signal, timed_out: r.timedOut, duration_ms: Math.round(r.durationMs) };
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as SseEvent;
      if (result !== null) {
        yield { event: 'exit', data: JSON.stringify(result) };
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    abort.abort();
    await done;
  }
}
