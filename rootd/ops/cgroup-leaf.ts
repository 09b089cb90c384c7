/**
 * The slice and a leaf's caps: create hop3.slice with the controllers
 * enabled, create a leaf, write its caps and read every one back. A cap the
 * kernel did not take is an error, never an app that only looks capped.
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { CgroupCaps, CgroupLimits } from '../../shared-protocol/ops/cgroup.ts';
import { guardUnder, SLICE_NAME, type GuardedPath } from '../path-guard.ts';
import { assertRootControllers, notEnabledIn } from './cgroup-avail.ts';
import { errnoOf, writeControl, writeFailed, type CgroupFs } from './cgroup-fs.ts';
import {
  capMismatches,
  expectedCaps,
  keyed,
  limitWrites,
  parseCpuMax,
  parseFlatKeyed,
  parseMaxValue,
  parseSingle,
  subtreeControlWrite,
  type ControlWrite,
  type RequiredController,
} from './cgroup-files.ts';

export interface EnsureSliceResult {
  readonly created: boolean;
  /** Controllers this call had to enable (in the root's or the slice's subtree_control). */
  readonly enabled: RequiredController[];
}

async function enableIn(fs: CgroupFs, dir: string, cgroupRoot: string): Promise<RequiredController[]> {
  const file = join(dir, 'cgroup.subtree_control');
  const missing = await notEnabledIn(fs, file);
  if (missing.length === 0) return [];
  await writeControl(fs, file, subtreeControlWrite(missing));
  const still = await notEnabledIn(fs, file);
  if (still.length > 0) {
    throw new Hop3Error('E_CGROUP_V2_UNAVAILABLE', `the kernel did not enable ${still.join(', ')} in ${file}`, {
      hint: `Check which controllers ${cgroupRoot}/cgroup.controllers offers and whether another manager owns this subtree.`,
    });
  }
  return missing;
}

/** Root's subtree_control first (so the new slice gets the controller files), then mkdir, then the slice's. */
export async function ensureSlice(fs: CgroupFs, cgroupRoot: string): Promise<EnsureSliceResult> {
  await assertRootControllers(fs, cgroupRoot);
  const slice = await guardUnder(cgroupRoot, [SLICE_NAME]);
  const enabled = new Set<RequiredController>(await enableIn(fs, cgroupRoot, cgroupRoot));
  let created = false;
  if (!slice.exists) created = await mkdirCgroup(fs, slice.path);
  for (const c of await enableIn(fs, slice.path, cgroupRoot)) enabled.add(c);
  return { created, enabled: [...enabled] };
}

/** mkdir a cgroup; false if it already existed (a concurrent creator), typed error otherwise. */
export async function mkdirCgroup(fs: CgroupFs, path: GuardedPath): Promise<boolean> {
  try {
    await fs.mkdir(path);
    return true;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw writeFailed(path, '(mkdir)', e);
  }
}

async function readControl(fs: CgroupFs, leaf: string, file: string): Promise<string> {
  return fs.readFile(join(leaf, file));
}

/** The caps exactly as the kernel reports them. Throws on a missing file or an unexpected format. */
export async function readCaps(fs: CgroupFs, leaf: string): Promise<CgroupCaps> {
  const [mem, swap, cpu, pids] = await Promise.all(
    ['memory.max', 'memory.swap.max', 'cpu.max', 'pids.max'].map((f) => readControl(fs, leaf, f)),
  );
  return {
    memory_max: parseMaxValue(mem ?? '', 'memory.max'),
    memory_swap_max: parseMaxValue(swap ?? '', 'memory.swap.max'),
    cpu_max: parseCpuMax(cpu ?? ''),
    pids_max: parseMaxValue(pids ?? '', 'pids.max'),
  };
}

export interface LeafUsage {
  readonly memory_bytes: number;
  readonly cpu_usage_usec: number;
  readonly cpu_nr_throttled: number;
  readonly pids: number;
  readonly oom_kill: number;
}

export async function readUsage(fs: CgroupFs, leaf: string): Promise<LeafUsage> {
  const [memCur, cpuStat, pidsCur, memEvents] = await Promise.all(
    ['memory.current', 'cpu.stat', 'pids.current', 'memory.events'].map((f) => readControl(fs, leaf, f)),
  );
  const stat = parseFlatKeyed(cpuStat ?? '', 'cpu.stat');
  const events = parseFlatKeyed(memEvents ?? '', 'memory.events');
  return {
    memory_bytes: parseSingle(memCur ?? '', 'memory.current'),
    cpu_usage_usec: keyed(stat, 'usage_usec', 'cpu.stat'),
    // nr_throttled appears only once the cpu controller is enabled; 0 otherwise.
    cpu_nr_throttled: stat.get('nr_throttled') ?? 0,
    pids: parseSingle(pidsCur ?? '', 'pids.current'),
    oom_kill: keyed(events, 'oom_kill', 'memory.events'),
  };
}

/** Read back and compare; E_CGROUP_LIMIT_NOT_APPLIED on any difference or unreadable value. */
export async function verifyCaps(fs: CgroupFs, leaf: string, limits: CgroupLimits): Promise<CgroupCaps> {
  let caps: CgroupCaps;
  try {
    caps = await readCaps(fs, leaf);
  } catch (e) {
    throw new Hop3Error('E_CGROUP_LIMIT_NOT_APPLIED', `cannot read the caps of ${leaf} back: ${(e as Error).message}`, {
      hint: 'The leaf lacks a controller file or the kernel reports an unexpected format; the previous limits were restored.',
      cause: e,
    });
  }
  const mismatches = capMismatches(expectedCaps(limits), caps);
  if (mismatches.length > 0) {
    throw new Hop3Error('E_CGROUP_LIMIT_NOT_APPLIED', `the kernel did not take the caps of ${leaf}: ${mismatches.join('; ')}`, {
      hint: 'The app would only look capped, so the op failed; the previous limits were restored. Check the kernel log.',
      details: { mismatches },
    });
  }
  return caps;
}

/** Write every cap (memory.max, memory.swap.max=0, cpu.max, pids.max), then verify all of them. */
export async function applyLimits(fs: CgroupFs, leaf: string, limits: CgroupLimits): Promise<CgroupCaps> {
  for (const w of limitWrites(limits)) await writeControl(fs, join(leaf, w.file), w.data);
  return verifyCaps(fs, leaf, limits);
}

function differs(w: ControlWrite, want: CgroupCaps, got: CgroupCaps): boolean {
  const only = (k: keyof CgroupCaps): CgroupCaps => ({ ...want, [k]: got[k] });
  const key: keyof CgroupCaps =
    w.file === 'memory.max' ? 'memory_max' : w.file === 'memory.swap.max' ? 'memory_swap_max' : w.file === 'cpu.max' ? 'cpu_max' : 'pids_max';
  return capMismatches(want, only(key)).length > 0;
}

/**
 * Reconcile: write only the caps whose kernel value differs from `limits`
 * (all of them if the current values are unreadable), then verify all.
 * Returns a sentence per file rewritten.
 */
export async function reassertLimits(fs: CgroupFs, leaf: string, limits: CgroupLimits): Promise<string[]> {
  const want = expectedCaps(limits);
  let got: CgroupCaps | null;
  try {
    got = await readCaps(fs, leaf);
  } catch {
    got = null;
  }
  const rewritten: string[] = [];
  for (const w of limitWrites(limits)) {
    if (got !== null && !differs(w, want, got)) continue;
    await writeControl(fs, join(leaf, w.file), w.data);
    rewritten.push(`${w.file}=${w.data}`);
  }
  await verifyCaps(fs, leaf, limits);
  return rewritten;
}
