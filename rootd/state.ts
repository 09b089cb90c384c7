/**
 * rootd's state file: versioned JSON, mode 0600, written atomically and
 * durably (tmp → fsync → rename → fsync dir). A missing, corrupt or
 * unknown-version file stops rootd with a clear message; it is never reset
 * silently. `hop3-rootd init-state` creates an empty one.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Hop3Error } from '../shared-protocol/errors.ts';
import { CgroupState, emptyCgroupState } from '../shared-protocol/ops/cgroup.ts';
import { FirewallState, emptyFirewallState } from '../shared-protocol/ops/firewall.ts';
import { MountState, emptyMountState } from '../shared-protocol/ops/mount.ts';
import { NginxState, emptyNginxState } from '../shared-protocol/ops/nginx.ts';

export const STATE_VERSION = 1 as const;

export const RootdStateSchema = Type.Object(
  {
    version: Type.Literal(STATE_VERSION),
    firewall: FirewallState,
    mount: MountState,
    cgroup: CgroupState,
    nginx: NginxState,
  },
  { additionalProperties: false },
);
export type RootdState = Static<typeof RootdStateSchema>;

export function emptyState(): RootdState {
  return {
    version: STATE_VERSION,
    firewall: emptyFirewallState(),
    mount: emptyMountState(),
    cgroup: emptyCgroupState(),
    nginx: emptyNginxState(),
  };
}

/** Steps of a state write at which a test build may ask rootd to die (crash-consistency tests). */
export const WRITE_STEPS = ['before-tmp', 'after-tmp-write', 'after-tmp-fsync', 'after-rename', 'after-dir-fsync'] as const;
export type WriteStep = (typeof WRITE_STEPS)[number];

export interface StateStoreOptions {
  /** Called at each write step; the crash tests pass a hook that SIGKILLs the process. */
  onWriteStep?: (step: WriteStep) => void;
}

export function parseState(text: string, path: string): RootdState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Hop3Error('E_STATE', `${path}: the state file is corrupt (not JSON); rootd will not start`, {
      hint: 'Restore it from backup, or inspect it; `hop3-rootd init-state --force` starts over (reconcile then removes everything rootd owns).',
    });
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== STATE_VERSION) {
    throw new Hop3Error('E_STATE', `${path}: unknown state version ${JSON.stringify(version)} (this rootd reads ${STATE_VERSION})`, {
      hint: 'Run the rootd version that wrote this file, or migrate it; rootd never resets state silently.',
    });
  }
  if (!Value.Check(RootdStateSchema, raw)) {
    const first = [...Value.Errors(RootdStateSchema, raw)][0];
    throw new Hop3Error('E_STATE', `${path}: the state file is invalid at ${first?.path || '/'}: ${first?.message ?? ''}`, {
      hint: 'Restore it from backup; rootd will not guess what it should contain.',
    });
  }
  return raw;
}

/** Write `text` to `path` atomically and durably, mode 0600. */
export function writeFileAtomic(path: string, text: string, onStep: (s: WriteStep) => void = () => {}): void {
  onStep('before-tmp');
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    onStep('after-tmp-write');
    fsyncSync(fd);
    onStep('after-tmp-fsync');
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  onStep('after-rename');
  const dfd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  onStep('after-dir-fsync');
}

export function initStateFile(path: string, force = false): void {
  if (existsSync(path) && !force) {
    throw new Hop3Error('E_STATE', `${path} already exists`, { hint: 'Use --force to replace it with an empty state.' });
  }
  writeFileAtomic(path, JSON.stringify(emptyState(), null, 2) + '\n');
}

/**
 * A write killed before its rename leaves `<state>.tmp-<pid>` behind; the state
 * file itself is the old one (the rename is the commit point). Remove them.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
      unlinkSync(join(dir, name));
      removed.push(name);
    }
  }
  return removed;
}

export class StateStore {
  private state: RootdState;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    initial: RootdState,
    private readonly opts: StateStoreOptions,
  ) {
    this.state = initial;
  }

  /** Load the state file; throws E_STATE (rootd refuses to start) if missing, corrupt or unknown. */
  static open(path: string, opts: StateStoreOptions = {}): StateStore {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Hop3Error('E_STATE', `${path}: no state file`, {
          hint: 'Create one with `hop3-rootd init-state --config <file>` before the first start.',
        });
      }
      throw e;
    }
    const store = new StateStore(path, parseState(text, path), opts);
    removeStaleTemps(path);
    return store;
  }

  /** A snapshot of the current state (do not mutate it). */
  get current(): Readonly<RootdState> {
    return this.state;
  }

  /**
   * Serialized read-modify-write: `fn` mutates a draft copy; the draft is
   * validated and written durably before it becomes the current state. If
   * `fn` throws, nothing is written.
   */
  update<T>(fn: (draft: RootdState) => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = structuredClone(this.state);
      const out = await fn(draft);
      if (!Value.Check(RootdStateSchema, draft)) {
        const first = [...Value.Errors(RootdStateSchema, draft)][0];
        throw new Hop3Error('E_INTERNAL', `state update produced an invalid state at ${first?.path}: ${first?.message}`);
      }
      if (JSON.stringify(draft) !== JSON.stringify(this.state)) {
        try {
          writeFileAtomic(this.path, JSON.stringify(draft, null, 2) + '\n', this.opts.onWriteStep);
        } catch (e) {
          throw new Hop3Error('E_STATE', `cannot write ${this.path}: ${(e as Error).message}`, { cause: e });
        }
        this.state = draft;
      }
      return out;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}
