/**
 * The narrow dependencies of the builders, so tests can pass fakes: an exec
 * that runs argv arrays (never a shell string built here), a few fs calls,
 * and a log sink that receives every output line as it is produced.
 */

export type Toolchain = 'static' | 'node' | 'python' | 'go' | 'generic';

export interface BuildLine {
  /** the step that produced the line: before-build, install, build, test, cache, ... */
  readonly step: string;
  /** hop3 = a line written by the builder itself, not by the command */
  readonly stream: 'stdout' | 'stderr' | 'hop3';
  readonly text: string;
}

export interface ExecRequest {
  /** argv[0] is an absolute path */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** bytes of output (both streams) delivered to onLine; the rest is dropped with one notice */
  readonly outputCapBytes: number;
  readonly onLine: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface ExecOutcome {
  /** null when killed by a signal */
  readonly code: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

export interface BuildExec {
  run(req: ExecRequest): Promise<ExecOutcome>;
  /** absolute path of an executable found in `searchPath` (":"-separated), or null */
  which(name: string, searchPath: string): Promise<string | null>;
}

export interface BuildFs {
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  /** modification time in ms, or null when absent */
  mtimeMs(path: string): Promise<number | null>;
  touch(path: string): Promise<void>;
}

export interface BuilderDeps {
  readonly exec: BuildExec;
  readonly fs: BuildFs;
  readonly log: (line: BuildLine) => void;
}

export interface BuildLimits {
  /** per command */
  readonly timeoutMs: number;
  /** per command */
  readonly outputCapBytes: number;
}

/** What every builder gets: where to build, where to cache, the env and limits. */
export interface BuildContext {
  readonly releaseDir: string;
  /** per-app cache directory, kept between releases */
  readonly cacheDir: string;
  /** scrubbed base env + the app's env (see env.ts) */
  readonly env: Readonly<Record<string, string>>;
  readonly limits: BuildLimits;
  readonly config: {
    readonly pipInstall: readonly string[];
  };
}

export interface StepTiming {
  readonly step: string;
  readonly durationMs: number;
}

export interface BuilderResult {
  /** named outputs, paths relative to the release dir: root (static), venv, python, binary, node_modules */
  readonly artifacts: Readonly<Record<string, string>>;
  readonly steps: readonly StepTiming[];
  /** cache outcome when the builder has one */
  readonly cache?: 'hit' | 'miss' | 'none';
}

export interface Builder {
  readonly toolchain: Toolchain;
  build(ctx: BuildContext, deps: BuilderDeps): Promise<BuilderResult>;
}
