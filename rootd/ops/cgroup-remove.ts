/**
 * Remove a leaf: kill everything in it and its descendants, wait (bounded)
 * until the kernel reports them empty, then rmdir deepest first.
 *
 * Kill: write "1" to cgroup.kill (Linux >= 5.14: the kernel SIGKILLs the whole
 * subtree, forks included). Older kernels: freeze the leaf (cgroup.freeze,
 * >= 5.2) so nothing forks meanwhile, then SIGKILL each pid listed in the
 * cgroup.procs files, repeating until they are empty. Either way rootd never
 * kills pid <= 1 or itself: a leaf holding one of those is refused (E_CGROUP_BUSY).
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { guardCgroupLeaf, guardUnder, leafName, SLICE_NAME, type GuardedPath } from '../path-guard.ts';
import { errnoOf, writeControl, writeFailed, type CgroupFs, type ProcessOps } from './cgroup-fs.ts';
import { parseProcs } from './cgroup-files.ts';

export interface RemoveOptions {
  readonly selfPid: number;
  /** How long to wait for the processes to die before E_CGROUP_BUSY. */
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export interface RemoveResult {
  readonly removed: boolean;
  /** Distinct pids found in the subtree when the kill started. */
  readonly killed: number;
}

/** Bounds on what rootd will walk below a leaf (apps cannot create sub-cgroups without delegation). */
const MAX_DEPTH = 8;
const MAX_CGROUPS = 1024;

/** The leaf and its descendant cgroups, parents before children. Symlinks are never followed. */
async function subtree(fs: CgroupFs, cgroupRoot: string, leafSegs: readonly string[]): Promise<GuardedPath[]> {
  const out: GuardedPath[] = [];
  const walk = async (segs: readonly string[]): Promise<void> => {
    if (out.length >= MAX_CGROUPS) throw new Hop3Error('E_CGROUP_BUSY', `more than ${MAX_CGROUPS} cgroups below ${leafSegs.join('/')}`);
    const g = await guardUnder(cgroupRoot, segs);
    if (!g.exists) return;
    out.push(g.path);
    if (segs.length - leafSegs.length >= MAX_DEPTH) return;
    let entries;
    try {
      entries = await fs.readdir(g.path);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) if (e.isDirectory) await walk([...segs, e.name]);
  };
  await walk(leafSegs);
  return out;
}

async function procsOf(fs: CgroupFs, cgroups: readonly GuardedPath[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const cg of cgroups) {
    let text: string;
    try {
      text = await fs.readFile(join(cg, 'cgroup.procs'));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') continue; // removed meanwhile
      throw e;
    }
    for (const pid of parseProcs(text)) pids.add(pid);
  }
  return [...pids].sort((a, b) => a - b);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function removeLeaf(
  fs: CgroupFs,
  proc: ProcessOps,
  cgroupRoot: string,
  app: string,
  opts: RemoveOptions,
): Promise<RemoveResult> {
  const leaf = await guardCgroupLeaf(cgroupRoot, app);
  if (!leaf.exists) return { removed: false, killed: 0 };
  const leafSegs = [SLICE_NAME, leafName(app)];
  const cgroups = await subtree(fs, cgroupRoot, leafSegs);
  const initial = await procsOf(fs, cgroups);
  const protectedPids = initial.filter((p) => p <= 1 || p === opts.selfPid);
  if (protectedPids.length > 0) {
    throw new Hop3Error('E_CGROUP_BUSY', `${leafName(app)} holds pid ${protectedPids.join(', ')} (init or hop3-rootd itself); refusing to kill it`, {
      hint: 'Something outside rootd moved a protected process into the leaf; move it out (echo <pid> > <cgroup_root>/cgroup.procs) and retry.',
    });
  }

  const useKillFile = initial.length > 0 && (await fs.exists(join(leaf.path, 'cgroup.kill')));
  if (useKillFile) {
    await writeControl(fs, join(leaf.path, 'cgroup.kill'), '1');
  } else if (initial.length > 0 && (await fs.exists(join(leaf.path, 'cgroup.freeze')))) {
    await writeControl(fs, join(leaf.path, 'cgroup.freeze'), '1');
  }

  const deadline = performance.now() + opts.timeoutMs;
  let left = initial;
  for (;;) {
    if (!useKillFile) {
      for (const pid of left) if (pid > 1 && pid !== opts.selfPid) await proc.kill(pid);
    }
    left = await procsOf(fs, await subtree(fs, cgroupRoot, leafSegs));
    if (left.length === 0 || performance.now() >= deadline) break;
    await sleep(opts.pollMs);
  }
  if (left.length > 0) {
    throw new Hop3Error('E_CGROUP_BUSY', `${leafName(app)} still holds pid ${left.slice(0, 16).join(', ')} after ${opts.timeoutMs} ms`, {
      hint: 'Look for processes in uninterruptible sleep (D state) and retry cgroup.remove.',
      details: { pids: left.slice(0, 64) },
    });
  }

  const now = await subtree(fs, cgroupRoot, leafSegs);
  for (const cg of now.reverse()) {
    try {
      await fs.rmdir(cg);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') continue;
      if (errnoOf(e) === 'EBUSY' || errnoOf(e) === 'ENOTEMPTY') {
        throw new Hop3Error('E_CGROUP_BUSY', `cannot rmdir ${cg}: ${errnoOf(e)}`, {
          hint: 'A process or a child cgroup appeared meanwhile; retry cgroup.remove.',
          cause: e,
        });
      }
      throw writeFailed(cg, '(rmdir)', e);
    }
  }
  return { removed: true, killed: initial.length };
}
