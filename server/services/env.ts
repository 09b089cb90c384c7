/**
 * App env vars: every value sealed at rest with AAD ['env', app, name];
 * "secret" decides only whether the API shows the value. The deploy pipeline
 * reads the plaintext through values().
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { EnvList, EnvPatchBody, EnvSetting } from '../../shared-protocol/api/env.ts';
import { looksSecret } from '../../shared-protocol/api/env-vars.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { Db } from '../db/open.ts';
import { envVars } from '../db/schema/index.ts';
import { requireApp, touchApp } from './apps.ts';

export interface EnvDeps {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly clock: () => Date;
}

export function envContext(app: string, name: string): readonly string[] {
  return ['env', app, name];
}

function normalize(name: string, s: EnvSetting): { value: string; secret: boolean } {
  if (typeof s === 'string') return { value: s, secret: looksSecret(name, s) };
  return { value: s.value, secret: s.secret ?? looksSecret(name, s.value) };
}

export function createEnvService(deps: EnvDeps) {
  const { db, secrets } = deps;

  const rows = (appId: number) => db.select().from(envVars).where(eq(envVars.appId, appId)).orderBy(asc(envVars.name)).all();

  function show(appName: string, showSecrets: boolean): EnvList {
    const app = requireApp(db, appName);
    return {
      app: app.name,
      vars: rows(app.id).map((r) => ({
        name: r.name,
        value: r.secret && !showSecrets ? null : secrets.open(r.valueSealed, envContext(app.name, r.name)),
        secret: r.secret,
        updated_at: r.updatedAt.toISOString(),
      })),
    };
  }

  return {
    show,

    /** Set and unset in one transaction; answers with secrets masked. */
    update(appName: string, patch: EnvPatchBody): EnvList {
      const app = requireApp(db, appName);
      const set = Object.entries(patch.set ?? {});
      const unset = [...new Set(patch.unset ?? [])];
      const both = set.map(([k]) => k).filter((k) => unset.includes(k));
      if (both.length > 0) throw new Hop3Error('E_INVALID_BODY', `${both.join(', ')} both set and unset in one request`);
      const now = deps.clock();
      db.transaction((tx) => {
        for (const [name, setting] of set) {
          const { value, secret } = normalize(name, setting);
          const valueSealed = secrets.seal(value, envContext(app.name, name));
          tx.insert(envVars)
            .values({ appId: app.id, name, valueSealed, secret, updatedAt: now })
            .onConflictDoUpdate({ target: [envVars.appId, envVars.name], set: { valueSealed, secret, updatedAt: now } })
            .run();
        }
        if (unset.length > 0) tx.delete(envVars).where(and(eq(envVars.appId, app.id), inArray(envVars.name, unset))).run();
        if (set.length > 0 || unset.length > 0) touchApp(tx, app, now);
      });
      return show(app.name, false);
    },

    /** Plaintext env of an app, for the deploy pipeline (never for an API answer). */
    values(appName: string): Record<string, string> {
      const app = requireApp(db, appName);
      const out: Record<string, string> = {};
      for (const r of rows(app.id)) out[r.name] = secrets.open(r.valueSealed, envContext(app.name, r.name));
      return out;
    },
  };
}

export type EnvService = ReturnType<typeof createEnvService>;
