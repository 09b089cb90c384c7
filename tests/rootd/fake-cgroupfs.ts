/**
 * A cgroupfs-shaped temp tree plus a CgroupFs that behaves like the kernel's
 * cgroup v2 filesystem, so a wrong file name or a wrong format fails a test:
 *  - mkdir populates the control files the parent's subtree_control enables;
 *  - writes go only to existing files, one value each, parsed like the kernel
 *    (memory.max rounded down to 4 KiB pages, cpu.max bounds, pids.max bound,
 *    "+ctrl"/"-ctrl" tokens, read-only files refuse writes with EACCES);
 *  - cgroup.procs migrates a live pid (ESRCH otherwise) and lists only live pids;
 *  - cgroup.kill SIGKILLs the pids of the subtree; rmdir refuses (EBUSY) a
 *    cgroup with live processes or children, then drops its control files.
 * Every mkdir/write/rmdir attempt is logged (paths relative to the root).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { realCgroupFs, type CgroupFs } from '../../rootd/ops/cgroup-fs.ts';

export const HOST_CONTROLLERS = 'cpuset cpu io memory hugetlb pids';
const KNOWN = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'];
const READ_ONLY = new Set(['cgroup.controllers', 'cgroup.events', 'cpu.stat', 'memory.current', 'memory.events', 'pids.current', 'pids.events', 'cgroup.stat']);
const PAGE = 4096;

export interface FakeTreeOptions {
  /** The root's cgroup.controllers (default "cpuset cpu io memory hugetlb pids", a pure v2 host). */
  readonly controllers?: string;
  /** Whether new cgroups get cgroup.kill (Linux >= 5.14). Default true. */
  readonly cgroupKill?: boolean;
  /** Whether new cgroups get cgroup.freeze (Linux >= 5.2). Default true. */
  readonly cgroupFreeze?: boolean;
  /** Attach to a tree an earlier makeFakeCgroupTree built (the state is all on disk), e.g. from another process. */
  readonly at?: string;
}

export interface FakeCgroupTree {
  readonly root: string;
  /** The kernel-emulating filesystem to hand to rootd. */
  readonly fs: CgroupFs;
  /** "mkdir <rel>", "write <rel> <data>", "rmdir <rel>" in order (attempts, failed or not). */
  readonly log: string[];
  /** Raw content of a file (relative path), as stored. */
  read(rel: string): string;
  /** Set a kernel-maintained value (memory.current, memory.events, ...). */
  set(rel: string, content: string): void;
  cleanup(): void;
}

const err = (code: string, path: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${path}`), { code });

export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function controllerFiles(ctrl: string): Record<string, string> {
  switch (ctrl) {
    case 'memory':
      return {
        'memory.max': 'max\n',
        'memory.swap.max': 'max\n',
        'memory.high': 'max\n',
        'memory.low': '0\n',
        'memory.min': '0\n',
        'memory.current': '0\n',
        'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n',
      };
    case 'cpu':
      return { 'cpu.max': 'max 100000\n', 'cpu.weight': '100\n' };
    case 'pids':
      return { 'pids.max': 'max\n', 'pids.current': '0\n', 'pids.events': 'max 0\n' };
    default:
      return {};
  }
}

const CPU_STAT_CORE = 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n';
const CPU_STAT_CTRL = 'nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n';

/** memparse: digits with an optional K/M/G/T suffix. */
function memparse(s: string): number | null {
  const m = /^([0-9]+)([kKmMgGtT]?)$/.exec(s);
  if (!m) return null;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

export function makeFakeCgroupTree(opts: FakeTreeOptions = {}): FakeCgroupTree {
  const root = opts.at !== undefined ? realpathSync(opts.at) : realpathSync(mkdtempSync(join(tmpdir(), 'hop3-cgfs-')));
  const log: string[] = [];
  const rel = (p: string): string => relative(root, p) || '.';
  const isCgroup = (dir: string): boolean => existsSync(join(dir, 'cgroup.controllers'));
  const tokens = (p: string): string[] => readFileSync(p, 'utf8').split(/\s+/).filter(Boolean);
  const liveProcs = (dir: string): number[] =>
    tokens(join(dir, 'cgroup.procs')).map(Number).filter((pid) => pidAlive(pid));
  const childCgroups = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isCgroup(join(dir, e.name)))
      .map((e) => join(dir, e.name));
  const subtree = (dir: string): string[] => [dir, ...childCgroups(dir).flatMap(subtree)];
  const enabled = (dir: string): string[] => tokens(join(dir, 'cgroup.subtree_control'));

  function addControllerFiles(dir: string, ctrl: string): void {
    for (const [f, v] of Object.entries(controllerFiles(ctrl))) writeFileSync(join(dir, f), v);
    if (ctrl === 'cpu') writeFileSync(join(dir, 'cpu.stat'), CPU_STAT_CORE + CPU_STAT_CTRL);
  }
  function dropControllerFiles(dir: string, ctrl: string): void {
    for (const f of Object.keys(controllerFiles(ctrl))) rmSync(join(dir, f), { force: true });
    if (ctrl === 'cpu') writeFileSync(join(dir, 'cpu.stat'), CPU_STAT_CORE);
  }

  // The root cgroup (already there when attaching with `at`).
  if (opts.at === undefined) {
    writeFileSync(join(root, 'cgroup.controllers'), (opts.controllers ?? HOST_CONTROLLERS) + '\n');
    writeFileSync(join(root, 'cgroup.subtree_control'), '\n');
    writeFileSync(join(root, 'cgroup.procs'), '');
    writeFileSync(join(root, 'cgroup.threads'), '');
    writeFileSync(join(root, 'cgroup.stat'), 'nr_descendants 0\nnr_dying_descendants 0\n');
    writeFileSync(join(root, 'cpu.stat'), CPU_STAT_CORE);
  }

  function setSubtreeControl(dir: string, data: string): void {
    const have = tokens(join(dir, 'cgroup.controllers'));
    const on = new Set(enabled(dir));
    const toks = data.split(/\s+/).filter(Boolean);
    if (toks.length === 0) return;
    const plan: Array<[boolean, string]> = [];
    for (const t of toks) {
      const sign = t[0];
      const name = t.slice(1);
      if ((sign !== '+' && sign !== '-') || !KNOWN.includes(name)) throw err('EINVAL', dir);
      plan.push([sign === '+', name]);
    }
    for (const [add, name] of plan) if (add && !have.includes(name)) throw err('ENOENT', dir);
    if (dir !== root && plan.some(([add]) => add) && liveProcs(dir).length > 0) throw err('EBUSY', dir);
    for (const [add, name] of plan) {
      if (add === on.has(name)) continue;
      if (add) on.add(name);
      else on.delete(name);
      for (const child of childCgroups(dir)) {
        writeFileSync(join(child, 'cgroup.controllers'), KNOWN.filter((c) => on.has(c)).join(' ') + '\n');
        if (add) addControllerFiles(child, name);
        else dropControllerFiles(child, name);
      }
    }
    writeFileSync(join(dir, 'cgroup.subtree_control'), KNOWN.filter((c) => on.has(c)).join(' ') + '\n');
  }

  function migrate(dir: string, data: string): void {
    const t = data.trim();
    if (!/^[0-9]+$/.test(t)) throw err('EINVAL', dir);
    const pid = Number(t);
    if (!pidAlive(pid)) throw err('ESRCH', dir);
    if (dir !== root && enabled(dir).length > 0) throw err('EBUSY', dir);
    for (const cg of subtree(root)) {
      const f = join(cg, 'cgroup.procs');
      const kept = tokens(f).filter((p) => Number(p) !== pid);
      writeFileSync(f, kept.map((p) => p + '\n').join(''));
    }
    writeFileSync(join(dir, 'cgroup.procs'), tokens(join(dir, 'cgroup.procs')).concat(String(pid)).map((p) => p + '\n').join(''));
  }

  function writeValue(path: string, data: string): void {
    const name = basename(path);
    const dir = dirname(path);
    const t = data.trim();
    const maxOr = (parse: (s: string) => number | null, limit: number): string => {
      if (t === 'max') return 'max\n';
      const n = parse(t);
      if (n === null || n > limit) throw err('EINVAL', path);
      return `${n}\n`;
    };
    switch (name) {
      case 'memory.max':
      case 'memory.swap.max':
      case 'memory.high':
        writeFileSync(path, maxOr((s) => { const n = memparse(s); return n === null ? null : n - (n % PAGE); }, Number.MAX_SAFE_INTEGER));
        return;
      case 'pids.max':
        writeFileSync(path, maxOr((s) => (/^[0-9]+$/.test(s) ? Number(s) : null), 4_194_304));
        return;
      case 'cpu.max': {
        const toks = t.split(/\s+/);
        const cur = readFileSync(path, 'utf8').trim().split(' ');
        const q = toks[0];
        const p = toks[1] ?? cur[1] ?? '100000';
        if (toks.length > 2 || q === undefined || !/^[0-9]+$/.test(p) || (q !== 'max' && !/^[0-9]+$/.test(q))) throw err('EINVAL', path);
        const period = Number(p);
        if (period < 1000 || period > 1_000_000 || (q !== 'max' && Number(q) < 1000)) throw err('EINVAL', path);
        writeFileSync(path, `${q} ${period}\n`);
        return;
      }
      case 'cgroup.subtree_control':
        setSubtreeControl(dir, data);
        return;
      case 'cgroup.procs':
        migrate(dir, data);
        return;
      case 'cgroup.kill': {
        if (!/^-?[0-9]+$/.test(t)) throw err('EINVAL', path);
        if (t !== '1') throw err('ERANGE', path);
        for (const cg of subtree(dir)) {
          for (const pid of liveProcs(cg)) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // exited meanwhile
            }
          }
        }
        return;
      }
      case 'cgroup.freeze':
        if (t !== '0' && t !== '1') throw err('ERANGE', path);
        writeFileSync(path, `${t}\n`);
        return;
      default:
        writeFileSync(path, data);
    }
  }

  const fs: CgroupFs = {
    async readFile(path) {
      const name = basename(path);
      if (name === 'cgroup.kill') throw err('EACCES', path);
      const text = await realCgroupFs.readFile(path);
      if (name === 'cgroup.procs') return liveProcs(dirname(path)).map((p) => `${p}\n`).join('');
      return text;
    },
    async writeFile(path, data) {
      log.push(`write ${rel(path)} ${data}`);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        throw err('ENOENT', path);
      }
      if (!st.isFile()) throw err(st.isDirectory() ? 'EISDIR' : 'ELOOP', path);
      if (READ_ONLY.has(basename(path))) throw err('EACCES', path);
      writeValue(path, data);
    },
    async mkdir(path) {
      log.push(`mkdir ${rel(path)}`);
      const parent = dirname(path);
      if (!isCgroup(parent)) throw err('ENOENT', path);
      mkdirSync(path); // EEXIST propagates, like the kernel
      const ctrls = KNOWN.filter((c) => enabled(parent).includes(c));
      writeFileSync(join(path, 'cgroup.controllers'), ctrls.join(' ') + '\n');
      writeFileSync(join(path, 'cgroup.subtree_control'), '\n');
      writeFileSync(join(path, 'cgroup.procs'), '');
      writeFileSync(join(path, 'cgroup.events'), 'populated 0\nfrozen 0\n');
      writeFileSync(join(path, 'cgroup.type'), 'domain\n');
      writeFileSync(join(path, 'cpu.stat'), CPU_STAT_CORE);
      if (opts.cgroupKill !== false) writeFileSync(join(path, 'cgroup.kill'), '');
      if (opts.cgroupFreeze !== false) writeFileSync(join(path, 'cgroup.freeze'), '0\n');
      for (const c of ctrls) addControllerFiles(path, c);
    },
    async rmdir(path) {
      log.push(`rmdir ${rel(path)}`);
      if (path === root) throw err('EBUSY', path);
      if (!existsSync(path)) throw err('ENOENT', path);
      if (!isCgroup(path)) throw err('ENOTEMPTY', path);
      if (liveProcs(path).length > 0 || childCgroups(path).length > 0) throw err('EBUSY', path);
      for (const f of readdirSync(path)) unlinkSync(join(path, f));
      rmdirSync(path);
    },
    readdir: (path) => realCgroupFs.readdir(path),
    exists: (path) => realCgroupFs.exists(path),
  };

  return {
    root,
    fs,
    log,
    read: (p) => readFileSync(join(root, p), 'utf8'),
    set: (p, content) => writeFileSync(join(root, p), content),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A CgroupFs that accepts writes to the named control files but silently keeps the old value. */
export function ignoringWrites(inner: CgroupFs, files: readonly string[], log?: string[]): CgroupFs {
  return {
    ...inner,
    async writeFile(path, data) {
      if (files.includes(basename(path))) {
        log?.push(`ignored ${basename(path)} ${data}`);
        return;
      }
      return inner.writeFile(path, data);
    },
  };
}

