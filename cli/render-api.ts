/** Human renderings of API objects (apps, processes, releases, env, domains). */
import type { AppSummary } from '../shared-protocol/api/apps.ts';
import type { ProcessView } from '../shared-protocol/api/processes.ts';
import type { ReleaseView, StepRecord } from '../shared-protocol/api/releases.ts';
import { clean } from './output.ts';
import { table } from './render.ts';

/** 1234 → "1.2 s", 87 → "87 ms". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "2026-01-02T03:04:05.000Z" → "2026-01-02 03:04:05Z". */
export function when(ts: string | null): string {
  return ts === null ? '-' : ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function appsTable(apps: readonly AppSummary[]): string {
  if (apps.length === 0) return 'No apps yet. Deploy one with `hop3 deploy`.';
  const rows = apps.map((a) => [clean(a.name), a.state, a.current_release === null ? '-' : String(a.current_release), a.hostnames.map(clean).join(', ')]);
  return table([['NAME', 'STATE', 'RELEASE', 'HOSTNAMES'], ...rows], '');
}

export function processTable(processes: readonly ProcessView[]): string {
  if (processes.length === 0) return '  (no processes running)';
  const rows = processes.map((p) => [clean(p.label), p.state, p.port === null ? '-' : `:${p.port}`, p.pid === null ? '-' : `pid ${p.pid}`, `release ${p.release}`]);
  return table(rows);
}

export function scaleLine(scale: Readonly<Record<string, number>>): string {
  const parts = Object.entries(scale).map(([t, n]) => `${clean(t)}=${n}`);
  return parts.length === 0 ? '(none)' : parts.join(' ');
}

export function stepsLine(steps: readonly StepRecord[]): string {
  return steps.map((s) => `${s.step} ${s.outcome === 'ok' ? duration(s.duration_ms) : s.outcome}`).join(', ');
}

export function releasesTable(releases: readonly ReleaseView[]): string {
  if (releases.length === 0) return 'No releases yet. Deploy with `hop3 deploy`.';
  const rows = releases.map((r) => [
    `${r.current ? '*' : ' '}${r.number}`,
    r.status,
    when(r.created_at),
    r.builder ?? '-',
    duration(r.deploy_ms),
    r.rollback_available && !r.current ? 'yes' : '',
    r.error === null ? '' : `${r.error.code}: ${clean(r.error.message)}`,
  ]);
  return `${table([[' #', 'STATUS', 'CREATED', 'BUILDER', 'DEPLOY', 'ROLLBACK', 'ERROR'], ...rows], '')}\n(* = current)`;
}
