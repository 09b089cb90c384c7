/**
 * Step 4: resolve the release env (shared-protocol/config resolveEnv) over
 * the app's stored env. Generated secrets are kept to be stored, sealed, once
 * the deploy is live; display-once values go only to this deploy's event
 * stream. The resolved env is sealed on the release row for rollback.
 */
import { resolveEnv, type AddonFact, type ResolvedEnv } from '../../../shared-protocol/config/resolve-env.ts';
import type { AppPlan } from '../../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../../shared-protocol/errors.ts';
import type { SecretBox } from '../../crypto/secrets.ts';

export function releaseEnvContext(app: string, number: number): readonly string[] {
  return ['release-env', app, String(number)];
}

export interface EnvStepInput {
  readonly plan: AppPlan;
  readonly app: string;
  readonly stored: Readonly<Record<string, string>>;
  /** host names for app facts ({key = "hostname"}) */
  readonly hostnames: readonly string[];
  /** The app's attached addons (server/addons/env.ts): auto-injected vars and `{from, key}` refs. */
  readonly addons?: readonly AddonFact[];
}

export function resolveReleaseEnv(input: EnvStepInput): ResolvedEnv {
  const resolved = resolveEnv(input.plan.config.env, input.addons ?? [], { name: input.app, hostnames: input.hostnames }, input.stored);
  if ('PORT' in resolved.env && Object.keys(input.plan.processes).includes('web')) {
    throw new Hop3Error('E_RUNTIME_ENV_RESERVED', 'the app env sets PORT; the platform sets it for each web process', {
      hint: 'Remove PORT from [env] and from `hop3 config`.',
    });
  }
  return resolved;
}

export function sealEnv(secrets: SecretBox, app: string, number: number, env: Readonly<Record<string, string>>): Buffer {
  return secrets.seal(JSON.stringify(env), releaseEnvContext(app, number));
}

export function openEnv(secrets: SecretBox, app: string, number: number, sealed: Uint8Array): Record<string, string> {
  return JSON.parse(secrets.open(sealed, releaseEnvContext(app, number))) as Record<string, string>;
}
