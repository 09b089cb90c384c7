/**
 * A dry run of the env resolver for `hop3 config explain`: resolveEnv runs on
 * the config with stand-in facts, so each declared key shows the source the
 * deploy will give it (static, generated, ref:<addon>, app, external_ip,
 * computed, default) and [env.computed] cycles surface before a deploy.
 *
 * Nothing secret is produced: random bytes are zeros, addon variables and
 * host facts are placeholders, and no resolved value leaves this module —
 * only the sources and the names the config expects from the deploy.
 */
import type { AppConfig } from '../../shared-protocol/config/index.ts';
import { templateRefs } from '../../shared-protocol/config/resolve-env-interpolate.ts';
import { resolveEnv, type AddonFact, type AppFacts, type EnvSource } from '../../shared-protocol/config/resolve-env.ts';

export interface DryEnv {
  /** The resolver's source of each key the config declares, plus defaults it adds (DEBUG). */
  readonly sources: Readonly<Record<string, EnvSource>>;
  /** Names [env.computed] interpolates that the config does not define: an attached addon or the app env must provide them. */
  readonly expects: readonly string[];
}

const PLACEHOLDER = '(dry run)';

/** Stand-in host facts, never displayed: the addresses (the probes of resolve-env-host.ts) only need to classify as public. */
function dryAppFacts(config: AppConfig): AppFacts {
  return {
    name: config.metadata.id ?? 'app',
    hostnames: config.domains?.list.length ? config.domains.list : ['app.example'],
    externalIp: { v4: { address: '1.1.1.1', origin: 'operator' }, v6: { address: '2606:4700:4700::1111', origin: 'operator' } },
  };
}

/** One stand-in addon per `from`, exposing exactly the keys the config reads from it. */
function dryAddons(config: AppConfig): AddonFact[] {
  const keys = new Map<string, Record<string, string>>();
  for (const v of Object.values(config.env.vars)) {
    if (v.kind === 'ref' && v.from !== undefined) keys.set(v.from, { ...keys.get(v.from), [v.key]: PLACEHOLDER });
  }
  const typeOf = (name: string): string => config.addons.find((a) => (a.name ?? config.metadata.id) === name)?.type ?? 'addon';
  return [...keys].map(([name, vars]) => ({ name, type: typeOf(name), vars }));
}

export function dryResolveEnv(config: AppConfig): DryEnv {
  const env = config.env;
  const addons = dryAddons(config);
  const known = new Set([...Object.keys(env.vars), ...Object.keys(env.computed), ...addons.flatMap((a) => Object.keys(a.vars)), 'DEBUG']);
  const expects = [...new Set(Object.entries(env.computed).flatMap(([k, t]) => templateRefs(k, t)))].filter((n) => !known.has(n)).sort();
  const existing = Object.fromEntries(expects.map((n) => [n, PLACEHOLDER]));
  const r = resolveEnv(env, addons, dryAppFacts(config), existing, { randomBytes: (n) => Buffer.alloc(n) });
  const declared = new Set([...Object.keys(env.vars), ...Object.keys(env.computed)]);
  const sources = Object.fromEntries(Object.entries(r.sources).filter(([k, s]) => declared.has(k) || s === 'default'));
  return { sources, expects };
}
