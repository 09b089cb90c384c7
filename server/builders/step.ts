/** One build step: announce it, run it, stream its lines, time it, turn failure into a typed error. */
import { buildError, type BuildErrorCode } from './errors.ts';
import type { BuildContext, BuilderDeps, StepTiming } from './types.ts';

export const SHELL = '/bin/sh';
const TAIL_LINES = 20;

export interface StepOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** code raised when the command exits non-zero (default E_BUILD_COMMAND_FAILED) */
  readonly failCode?: BuildErrorCode;
  /** what the log shows instead of the argv (e.g. the user's shell command) */
  readonly display?: string;
}

export async function runStep(
  step: string,
  argv: readonly string[],
  ctx: BuildContext,
  deps: BuilderDeps,
  options: StepOptions = {},
): Promise<StepTiming> {
  deps.log({ step, stream: 'hop3', text: `$ ${options.display ?? argv.join(' ')}` });
  const tail: string[] = [];
  const outcome = await deps.exec.run({
    argv,
    cwd: options.cwd ?? ctx.releaseDir,
    env: options.env ?? ctx.env,
    timeoutMs: ctx.limits.timeoutMs,
    outputCapBytes: ctx.limits.outputCapBytes,
    onLine: (stream, text) => {
      tail.push(text);
      if (tail.length > TAIL_LINES) tail.shift();
      deps.log({ step, stream, text });
    },
  });
  if (outcome.truncated) {
    deps.log({ step, stream: 'hop3', text: `output truncated after ${ctx.limits.outputCapBytes} bytes (the command kept running)` });
  }
  const seconds = (outcome.durationMs / 1000).toFixed(2);
  if (outcome.timedOut) {
    throw buildError('E_BUILD_TIMEOUT', `${step} was killed after ${ctx.limits.timeoutMs / 1000} s`, { step, tail });
  }
  if (outcome.code !== 0) {
    const how = outcome.code === null ? `was killed by ${outcome.signal ?? 'a signal'}` : `exited with status ${outcome.code}`;
    throw buildError(options.failCode ?? 'E_BUILD_COMMAND_FAILED', `${step} ${how} after ${seconds} s`, { step, code: outcome.code, tail });
  }
  deps.log({ step, stream: 'hop3', text: `${step} done in ${seconds} s` });
  return { step, durationMs: outcome.durationMs };
}

/** A command from hop3.toml / Procfile: shell syntax by nature, run as the app's own code. */
export function runShellStep(step: string, command: string, ctx: BuildContext, deps: BuilderDeps, options: StepOptions = {}): Promise<StepTiming> {
  return runStep(step, [SHELL, '-c', command], ctx, deps, { display: command, ...options });
}
