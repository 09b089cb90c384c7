/**
 * Operator commands over the op log: `hop3-rootd log verify` (is the hash
 * chain intact?) and `hop3-rootd log show` (a filtered human table, or the
 * raw JSON lines with --json). Pure functions of the file text and an output
 * sink, so the tests drive them without a process.
 */
import { readFileSync } from 'node:fs';
import { verifyLog } from './oplog.ts';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface ShowFilters {
  /** ISO date/time; entries with ts >= since. */
  readonly since?: string;
  /** An op name (`firewall.add_rule`), a family (`firewall`), or a pseudo-op (`(connect)`). */
  readonly op?: string;
  readonly app?: string;
  readonly json?: boolean;
}

/** Exit 0 when the chain verifies, 1 with one line per problem otherwise. */
export function runLogVerify(file: string, io: CliOutput): number {
  const r = verifyLog(file);
  if (r.ok) {
    io.out(`ok: ${file}: ${r.lines} lines, hash chain intact`);
    return 0;
  }
  for (const p of r.problems) io.err(`${file}:${p.line}: ${p.problem}`);
  io.err(`FAILED: ${file}: ${r.problems.length} problem(s) in ${r.lines} lines`);
  return 1;
}

type Entry = Record<string, unknown>;

export function matchesFilters(e: Entry, f: ShowFilters, sinceMs: number | null): boolean {
  if (sinceMs !== null) {
    const t = typeof e['ts'] === 'string' ? Date.parse(e['ts']) : NaN;
    if (!(t >= sinceMs)) return false;
  }
  if (f.op !== undefined) {
    const op = typeof e['op'] === 'string' ? e['op'] : '';
    const family = /^[a-z]+$/.test(f.op);
    if (!(op === f.op || (family && op.startsWith(f.op + '.')))) return false;
  }
  if (f.app !== undefined && e['app'] !== f.app) return false;
  return true;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '-';
  return String(v);
}

function peerOf(e: Entry): string {
  const p = e['peer'];
  if (p === null || typeof p !== 'object') return '-';
  const o = p as Record<string, unknown>;
  return `${cell(o['uid'])}/${cell(o['pid'])}`;
}

function detailOf(e: Entry): string {
  if (typeof e['message'] === 'string') return e['message'];
  const d = e['details'];
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    if (Array.isArray(o['changes']) || Array.isArray(o['errors'])) {
      const c = Array.isArray(o['changes']) ? o['changes'].length : 0;
      const er = Array.isArray(o['errors']) ? o['errors'].length : 0;
      return `${c} change(s), ${er} error(s)`;
    }
    return JSON.stringify(d);
  }
  return '';
}

/**
 * Log lines carry caller-chosen strings (a malformed request's op name, ids):
 * never let them reach the operator's terminal as control sequences.
 * C0, DEL, C1 and bidi controls become "?".
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** Render entries as a fixed-width table (the last column is cut at 80 chars). */
export function formatTable(entries: readonly Entry[]): string[] {
  const head = ['SEQ', 'TIME', 'OUTCOME', 'OP', 'APP', 'PEER(uid/pid)', 'CODE', 'MS', 'DETAIL'];
  const rows = entries.map((e) => [
    cell(e['seq']),
    cell(e['ts']),
    cell(e['outcome']),
    cell(e['op']),
    cell(e['app']),
    peerOf(e),
    cell(e['code']),
    e['duration_ms'] === undefined ? '-' : cell(e['duration_ms']),
    detailOf(e).slice(0, 80),
  ].map(printable));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/** Exit 0 after printing the matching entries; 2 for a bad --since. */
export function runLogShow(file: string, f: ShowFilters, io: CliOutput): number {
  let sinceMs: number | null = null;
  if (f.since !== undefined) {
    sinceMs = Date.parse(f.since);
    if (Number.isNaN(sinceMs)) {
      io.err(`hop3-rootd: E_USAGE: --since ${JSON.stringify(f.since)} is not an ISO date/time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)`);
      return 2;
    }
  }
  const text = readFileSync(file, 'utf8');
  const selected: Entry[] = [];
  const rawLines: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      io.err(`${file}:${i + 1}: not JSON (run \`hop3-rootd log verify\`)`);
      return;
    }
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return;
    if (matchesFilters(e as Entry, f, sinceMs)) {
      selected.push(e as Entry);
      rawLines.push(line);
    }
  });
  if (f.json) for (const l of rawLines) io.out(l);
  else for (const l of formatTable(selected)) io.out(l);
  return 0;
}
