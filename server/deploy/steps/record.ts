/**
 * Step 8: record the release as live (the previous one becomes superseded),
 * store newly generated env values (sealed, as secrets) so later deploys keep
 * them, and prune release trees: the current one and the last few superseded
 * ones stay for rollback, older trees are removed.
 */
import { rm } from 'node:fs/promises';
import type { SecretBox } from '../../crypto/secrets.ts';
import type { Db } from '../../db/open.ts';
import { envVars } from '../../db/schema/index.ts';
import type { AppRow } from '../../services/apps.ts';
import { envContext } from '../../services/env.ts';
import { listReleases, updateRelease, type ReleaseRow } from '../releases-repo.ts';

export function persistGenerated(db: Pick<Db, 'insert'>, secrets: SecretBox, app: AppRow, generated: Readonly<Record<string, string>>, now: Date): void {
  for (const [name, value] of Object.entries(generated)) {
    const valueSealed = secrets.seal(value, envContext(app.name, name));
    db.insert(envVars).values({ appId: app.id, name, valueSealed, secret: true, updatedAt: now }).onConflictDoNothing().run();
  }
}

/** Removes the trees of releases that are neither current nor among the `keep` newest superseded ones. */
export async function pruneReleases(db: Db, app: AppRow, currentId: number, keep: number): Promise<number[]> {
  const all = listReleases(db, app.id);
  const kept = new Set<number>([currentId]);
  for (const r of all.filter((x) => x.status === 'superseded' && x.id !== currentId).slice(0, keep)) kept.add(r.id);
  const pruned: number[] = [];
  for (const r of all) {
    if (kept.has(r.id) || r.releaseDir === null || r.status === 'pending' || r.status === 'building' || r.status === 'starting') continue;
    await rm(r.releaseDir, { recursive: true, force: true });
    updateRelease(db, r.id, { releaseDir: null });
    pruned.push(r.number);
  }
  return pruned;
}

export type { ReleaseRow };
