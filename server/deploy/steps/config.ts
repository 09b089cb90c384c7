/**
 * Step 2: load and validate the app config from the release tree. Warnings
 * go to the deploy log; an error, an unsupported section or a host name that
 * belongs to another app fails here, before anything outside the new release
 * directory has changed.
 */
import { createHash } from 'node:crypto';
import { formatDiagnostic, loadApp, type AppPlan } from '../../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../../shared-protocol/errors.ts';
import type { Db } from '../../db/open.ts';
import type { AppRow } from '../../services/apps.ts';
import { checkConfigDomains } from '../site.ts';
import { assertSupported } from '../unsupported.ts';

export interface LoadedConfig {
  readonly plan: AppPlan;
  /** SHA-256 hex of the normalized plan */
  readonly hash: string;
  readonly warnings: readonly string[];
}

export function configHash(plan: AppPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

/** Loads the plan of a release tree; throws E_APP_CONFIG_INVALID with every error. */
export function loadPlan(dir: string): LoadedConfig {
  const loaded = loadApp(dir);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const warnings = loaded.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic);
  if (loaded.plan === null || errors.length > 0) {
    const first = errors[0];
    throw new Hop3Error('E_APP_CONFIG_INVALID', `the app config has ${errors.length} error(s):\n${errors.map(formatDiagnostic).join('\n')}`, {
      hint: first === undefined ? 'Fix the app config; `hop3 config validate` shows the errors locally.' : `${first.code}: ${first.hint}`,
      details: { codes: errors.map((e) => e.code) },
    });
  }
  return { plan: loaded.plan, hash: configHash(loaded.plan), warnings };
}

export function validateForDeploy(db: Db, app: AppRow, dir: string, serverDomain: string): LoadedConfig {
  const loaded = loadPlan(dir);
  assertSupported(loaded.plan);
  checkConfigDomains(db, app, loaded.plan.config.domains, serverDomain);
  return loaded;
}

/** Process counts for a new release: the previous release's scale for types that still exist, else 1. */
export function initialScale(plan: AppPlan, previous: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of Object.keys(plan.processes)) out[type] = previous?.[type] ?? 1;
  return out;
}
