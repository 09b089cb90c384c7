/**
 * Pure formatting and parsing of cgroup v2 control files (no I/O), so every
 * byte rootd writes and every value it trusts is tested against exact strings.
 * File formats: Documentation/admin-guide/cgroup-v2.rst.
 */
import type { CgroupCaps, CgroupLimits } from '../../shared-protocol/ops/cgroup.ts';

/** The controllers every limit needs, in the order rootd enables them. */
export const REQUIRED_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
export type RequiredController = (typeof REQUIRED_CONTROLLERS)[number];

/** The kernel's default cpu.max period; an omitted cpu limit is written as "max 100000". */
export const DEFAULT_CPU_PERIOD_US = 100_000;

/**
 * memory.max is rounded down to a page multiple by the kernel; the largest
 * Linux page size is 64 KiB, so a read-back within one page below is a match.
 */
export const MAX_PAGE_BYTES = 65_536;

/** The control files a limit write touches, in write order, with the exact bytes. */
export interface ControlWrite {
  readonly file: 'memory.max' | 'memory.swap.max' | 'cpu.max' | 'pids.max';
  readonly data: string;
}

export function limitWrites(limits: CgroupLimits): ControlWrite[] {
  return [
    { file: 'memory.max', data: limits.memory_bytes === undefined ? 'max' : String(limits.memory_bytes) },
    // Always 0: a memory cap that can spill into swap is not a cap.
    { file: 'memory.swap.max', data: '0' },
    { file: 'cpu.max', data: limits.cpu === undefined ? `max ${DEFAULT_CPU_PERIOD_US}` : `${limits.cpu.quota_us} ${limits.cpu.period_us}` },
    { file: 'pids.max', data: limits.pids === undefined ? 'max' : String(limits.pids) },
  ];
}

/** "+memory +cpu +pids": one write enabling the required controllers. */
export function subtreeControlWrite(missing: readonly RequiredController[]): string {
  return missing.map((c) => `+${c}`).join(' ');
}

export class CgroupParseError extends Error {}

/** Whitespace-separated tokens (cgroup.controllers, cgroup.subtree_control). */
export function parseTokens(text: string): string[] {
  return text.split(/\s+/).filter((t) => t !== '');
}

const UINT_RE = /^(0|[1-9][0-9]{0,18})$/;

function parseUint(tok: string, what: string): number {
  if (!UINT_RE.test(tok)) throw new CgroupParseError(`${what}: ${JSON.stringify(tok.slice(0, 40))} is not an unsigned integer`);
  const n = Number(tok);
  if (!Number.isSafeInteger(n)) throw new CgroupParseError(`${what}: ${tok} is out of range`);
  return n;
}

/** memory.max, memory.swap.max, pids.max: "max" or an unsigned integer, one line. */
export function parseMaxValue(text: string, what: string): number | 'max' {
  const t = text.trim();
  return t === 'max' ? 'max' : parseUint(t, what);
}

/** cpu.max: "$MAX $PERIOD" where $MAX is "max" or an integer. */
export function parseCpuMax(text: string): { quota_us: number | 'max'; period_us: number } {
  const toks = parseTokens(text);
  if (toks.length !== 2 || toks[0] === undefined || toks[1] === undefined) {
    throw new CgroupParseError(`cpu.max: expected "<quota|max> <period>", got ${JSON.stringify(text.slice(0, 60))}`);
  }
  return { quota_us: toks[0] === 'max' ? 'max' : parseUint(toks[0], 'cpu.max quota'), period_us: parseUint(toks[1], 'cpu.max period') };
}

/** A single unsigned integer file (memory.current, pids.current). */
export function parseSingle(text: string, what: string): number {
  return parseUint(text.trim(), what);
}

/** Flat keyed files ("key value" per line): memory.events, cpu.stat, cgroup.events. */
export function parseFlatKeyed(text: string, what: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const toks = parseTokens(line);
    if (toks.length !== 2 || toks[0] === undefined || toks[1] === undefined) {
      throw new CgroupParseError(`${what}: malformed line ${JSON.stringify(line.slice(0, 60))}`);
    }
    out.set(toks[0], parseUint(toks[1], `${what} ${toks[0]}`));
  }
  return out;
}

/** A required key of a flat keyed file. */
export function keyed(map: Map<string, number>, key: string, what: string): number {
  const v = map.get(key);
  if (v === undefined) throw new CgroupParseError(`${what}: no "${key}" line`);
  return v;
}

/** cgroup.procs: one pid per line. */
export function parseProcs(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => parseUint(l, 'cgroup.procs'));
}

export interface ProcStatus {
  readonly tgid: number;
  /** Real, effective, saved set and filesystem uids. */
  readonly uids: readonly [number, number, number, number];
}

/** The Tgid and Uid lines of /proc/<pid>/status; null when either is missing or malformed. */
export function parseProcStatus(text: string): ProcStatus | null {
  let tgid: number | undefined;
  let uids: [number, number, number, number] | undefined;
  for (const line of text.split('\n')) {
    const m = /^(Tgid|Uid):\s+(.*)$/.exec(line);
    if (!m) continue;
    const toks = parseTokens(m[2] ?? '');
    if (!toks.every((t) => UINT_RE.test(t))) return null;
    const nums = toks.map(Number);
    if (m[1] === 'Tgid') {
      if (nums.length !== 1 || tgid !== undefined) return null;
      tgid = nums[0];
    } else {
      if (nums.length !== 4 || uids !== undefined) return null;
      uids = [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, nums[3] ?? 0];
    }
  }
  return tgid === undefined || uids === undefined ? null : { tgid, uids };
}

/** What the kernel should report after writing `limits`. */
export function expectedCaps(limits: CgroupLimits): CgroupCaps {
  return {
    memory_max: limits.memory_bytes ?? 'max',
    memory_swap_max: 0,
    cpu_max: limits.cpu ? { quota_us: limits.cpu.quota_us, period_us: limits.cpu.period_us } : { quota_us: 'max', period_us: DEFAULT_CPU_PERIOD_US },
    pids_max: limits.pids ?? 'max',
  };
}

function memoryMatches(want: number | 'max', got: number | 'max'): boolean {
  if (want === 'max' || got === 'max') return want === got;
  return got <= want && want - got < MAX_PAGE_BYTES;
}

/** The cap files whose read-back value does not match what was asked (empty = all taken). */
export function capMismatches(want: CgroupCaps, got: CgroupCaps): string[] {
  const out: string[] = [];
  const show = (v: unknown): string => JSON.stringify(v);
  if (!memoryMatches(want.memory_max, got.memory_max)) out.push(`memory.max is ${show(got.memory_max)}, wanted ${show(want.memory_max)}`);
  if (got.memory_swap_max !== want.memory_swap_max) out.push(`memory.swap.max is ${show(got.memory_swap_max)}, wanted ${show(want.memory_swap_max)}`);
  if (got.cpu_max.quota_us !== want.cpu_max.quota_us || got.cpu_max.period_us !== want.cpu_max.period_us) {
    out.push(`cpu.max is ${show(got.cpu_max)}, wanted ${show(want.cpu_max)}`);
  }
  if (got.pids_max !== want.pids_max) out.push(`pids.max is ${show(got.pids_max)}, wanted ${show(want.pids_max)}`);
  return out;
}

const LEAF_RE = /^hop3-app-([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.scope$/;

/** The app name of a hop3 leaf directory name, or null for anything else. */
export function appOfLeafName(name: string): string | null {
  return LEAF_RE.exec(name)?.[1] ?? null;
}
