/**
 * What attached addons inject into an app, as resolveEnv's AddonFacts.
 *
 * Per (app, type): the primary gets the unprefixed names (DATABASE_URL...).
 * When an app has several addons of one type, every one of them also gets
 * `<NAME>_`-prefixed names (so code can address each one by name, and a
 * promote does not take a prefixed name away). Primaries come first:
 * resolveEnv lets the first addon providing a name win, so a non-primary's
 * unprefixed names (kept in its fact only so that `{from = "<name>", key =
 * "REDIS_URL"}` refs work) never reach the env.
 */
import type { AddonFact } from '../../shared-protocol/config/resolve-env.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { Provisioned } from './backend.ts';
import type { BackendRegistry } from './registry.ts';
import { provisioned, type AttachmentView } from './store.ts';

export function addonFacts(box: SecretBox, backends: BackendRegistry, list: readonly AttachmentView[]): AddonFact[] {
  const perType = new Map<string, number>();
  for (const a of list) perType.set(a.addon.type, (perType.get(a.addon.type) ?? 0) + 1);
  const ordered = [...list.filter((a) => a.primary), ...list.filter((a) => !a.primary)];
  return ordered.map((a) => {
    const env = backends.get(a.addon.type).env(a.addon.name, provisioned(box, a.addon));
    const vars: Record<string, string> = { ...env };
    if ((perType.get(a.addon.type) ?? 0) > 1) for (const [k, v] of Object.entries(env)) vars[`${a.prefix}${k}`] = v;
    return { name: a.addon.name, type: a.addon.type, vars };
  });
}

/** The env an app gets from these facts (what resolveEnv's step 2 injects), for display. */
export function injectedNames(facts: readonly AddonFact[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of facts) for (const [k, v] of Object.entries(f.vars)) if (!(k in out)) out[k] = v;
  return out;
}

/** Replace every secret value inside the env values with ****. */
export function maskEnv(env: Readonly<Record<string, string>>, p: Provisioned): Record<string, string> {
  const secrets = Object.values(p.secrets).filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    let m = v;
    for (const s of secrets) {
      m = m.split(s).join('****');
      const enc = encodeURIComponent(s);
      if (enc !== s) m = m.split(enc).join('****');
    }
    out[k] = m;
  }
  return out;
}
