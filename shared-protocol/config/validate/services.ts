/** [backup], [[addons]] (and the legacy [[provider]]), with their backup policies. */
import type { Reporter } from '../diagnostics.ts';
import type { AddonBackupPolicy, AddonConfig, BackupPolicy, Retention } from '../model.ts';
import { extensionVerdict } from '../pg-extensions.ts';
import type { AddonRaw, BackupRaw, RetentionRaw } from '../schema/sections.ts';
import type { KeyPath } from '../source/position.ts';
import { cronProblem } from './cron.ts';

function retentionOf(r: RetentionRaw | undefined): Retention | null {
  if (r === undefined) return null;
  if (typeof r === 'number') return { days: r, keepLast: null };
  return { days: r.days ?? null, keepLast: r['keep-last'] ?? null };
}

function schedulePart(
  raw: { enabled?: boolean; schedule?: string; retention?: RetentionRaw },
  path: KeyPath,
  rep: Reporter,
): { ok: boolean; enabled: boolean; schedule: string | null } {
  let ok = true;
  if (raw.schedule !== undefined) {
    const problem = cronProblem(raw.schedule);
    if (problem !== null) {
      rep.error('E_CONFIG_CRON', [...path, 'schedule'], `${JSON.stringify(raw.schedule)}: ${problem}`);
      ok = false;
    }
  }
  const enabled = raw.enabled ?? raw.schedule !== undefined;
  if (enabled && raw.schedule === undefined) {
    rep.error('E_CONFIG_BACKUP_SCHEDULE', [...path, 'enabled'], 'scheduled backups are enabled but no schedule is given');
    ok = false;
  }
  if (raw.retention !== undefined && raw.schedule === undefined) {
    rep.warn('W_CONFIG_RETENTION_UNUSED', [...path, 'retention'], 'retention without a schedule prunes nothing');
  }
  if (typeof raw.retention === 'object' && raw.retention.days === undefined && raw.retention['keep-last'] === undefined) {
    rep.error('E_CONFIG_REQUIRED', [...path, 'retention'], 'retention needs days and/or keep-last');
    ok = false;
  }
  return { ok, enabled, schedule: raw.schedule ?? null };
}

function relativePaths(list: readonly string[] | undefined, path: KeyPath, rep: Reporter): boolean {
  let ok = true;
  (list ?? []).forEach((p, i) => {
    if (p.trim() === '' || p.startsWith('/') || p.split('/').includes('..')) {
      rep.error('E_CONFIG_FORMAT', [...path, i], `${JSON.stringify(p)} must be a relative path inside the app, without ".."`);
      ok = false;
    }
  });
  return ok;
}

export function validateBackup(raw: BackupRaw, rep: Reporter): BackupPolicy | null {
  const s = schedulePart(raw, ['backup'], rep);
  const pathsOk = relativePaths(raw.paths, ['backup', 'paths'], rep);
  if (!s.ok || !pathsOk) return null;
  return {
    enabled: s.enabled,
    schedule: s.schedule,
    retention: retentionOf(raw.retention),
    paths: raw.paths ?? [],
    exclude: raw.exclude ?? [],
  };
}

function addonBackup(raw: AddonRaw['backup'], path: KeyPath, rep: Reporter): AddonBackupPolicy | null | false {
  if (raw === undefined) return null;
  const s = schedulePart(raw, [...path, 'backup'], rep);
  if (!s.ok) return false;
  return { enabled: s.enabled, method: raw.method ?? null, schedule: s.schedule, retention: retentionOf(raw.retention) };
}

export function validateAddons(
  raw: readonly AddonRaw[],
  section: 'addons' | 'provider',
  extraPg: readonly string[],
  rep: Reporter,
): AddonConfig[] {
  const out: AddonConfig[] = [];
  raw.forEach((a, i) => {
    const path = [section, i];
    let ok = true;
    if (a.extensions !== undefined && a.type !== 'postgres') {
      rep.error('E_CONFIG_ADDON_FIELD', [...path, 'extensions'], `extensions apply to postgres addons only (this one is ${a.type})`);
      ok = false;
    }
    const seen = new Set<string>();
    (a.type === 'postgres' ? (a.extensions ?? []) : []).forEach((ext, j) => {
      const p = [...path, 'extensions', j];
      const verdict = extensionVerdict(ext, extraPg);
      if (verdict === 'denied') {
        rep.error('E_CONFIG_PG_EXTENSION_DENIED', p, `extension "${ext}" is on the hard-deny set`);
        ok = false;
      } else if (verdict === 'not-allowed') {
        rep.error('E_CONFIG_PG_EXTENSION_NOT_ALLOWED', p, `extension "${ext}" is not on this install's allow-list`);
        ok = false;
      } else if (seen.has(ext)) {
        rep.error('E_CONFIG_DUPLICATE_KEY', p, `extension "${ext}" is listed twice`);
        ok = false;
      }
      seen.add(ext);
    });
    const backup = addonBackup(a.backup, path, rep);
    if (backup === false) ok = false;
    if (!ok || backup === false) return;
    out.push({ type: a.type, name: a.name ?? null, extensions: a.extensions ?? [], backup, declaredAs: section });
  });
  return out;
}

/** Two addons of one type must not resolve to the same instance (unnamed ones default to the app name). */
export function checkAddonNames(addons: readonly AddonConfig[], rep: Reporter): void {
  const seen = new Map<string, number>();
  const counters = { addons: 0, provider: 0 };
  for (const a of addons) {
    const index = counters[a.declaredAs]++;
    const key = `${a.type}/${a.name ?? '<app name>'}`;
    if (seen.has(key)) {
      rep.error('E_CONFIG_ADDON_DUPLICATE', [a.declaredAs, index], `a second ${a.type} addon named ${a.name ?? '(the app name, by default)'}`);
    }
    seen.set(key, index);
  }
}
