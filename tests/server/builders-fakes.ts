/** Fakes for the builders' narrow deps: a scripted exec, an in-memory-ish fs over a real temp dir, a log collector. */
import type { BuildExec, BuilderDeps, BuildLine, ExecOutcome, ExecRequest } from '../../server/builders/types.ts';
import { createBuildFs } from '../../server/builders/fs.ts';

export interface FakeExec extends BuildExec {
  readonly calls: ExecRequest[];
}

/** An exec that records calls; `answer` decides each outcome (default: success, no output). */
export function fakeExec(
  tools: Readonly<Record<string, string>>,
  answer: (req: ExecRequest) => Partial<ExecOutcome> & { lines?: string[] } = () => ({}),
): FakeExec {
  const calls: ExecRequest[] = [];
  return {
    calls,
    which: (name) => Promise.resolve(tools[name] ?? null),
    run: (req) => {
      calls.push(req);
      const a = answer(req);
      for (const l of a.lines ?? []) req.onLine('stdout', l);
      return Promise.resolve({
        code: a.code === undefined ? 0 : a.code,
        signal: a.signal ?? null,
        timedOut: a.timedOut ?? false,
        truncated: a.truncated ?? false,
        durationMs: a.durationMs ?? 1,
      });
    },
  };
}

export function collectingDeps(exec: BuildExec): BuilderDeps & { lines: BuildLine[] } {
  const lines: BuildLine[] = [];
  return { exec, fs: createBuildFs(), log: (l) => lines.push(l), lines };
}
