/**
 * Dynamic references (ADR 046 §1b): `{from, key}` against this app's attached
 * addons, app facts without `from`, and `external_ip`. Pure; every failure is
 * a Hop3Error that lists what was available.
 */
import { Hop3Error } from '../errors.ts';
import { ENV_ERRORS } from './resolve-env-errors.ts';
import { classifyIp, type IpFamily } from './resolve-env-ip.ts';

export interface AddonFact {
  /** Addon instance name, unique on the server (e.g. "myapp-db"). */
  readonly name: string;
  /** Addon type: postgres, mysql, redis, s3, ... */
  readonly type: string;
  /** The variables auto-injection exposes for this addon, e.g. {PGHOST: "localhost"}. */
  readonly vars: Readonly<Record<string, string>>;
}

export interface ExternalIpFact {
  readonly address: string;
  /** operator: HOP3_EXTERNAL_IP / HOP3_EXTERNAL_IP6; detected: default-route source address. */
  readonly origin: 'operator' | 'detected';
}

export interface AppFacts {
  /** The app name. */
  readonly name: string;
  /** The app hostnames in declaration order ([domains].list); falls back to HOST_NAME. */
  readonly hostnames?: readonly string[];
  /** External addresses known to the caller; see detectExternalIp in resolve-env-host.ts. */
  readonly externalIp?: { readonly v4?: ExternalIpFact; readonly v6?: ExternalIpFact };
}

export const APP_FACT_KEYS = ['domain', 'hostname', 'name'] as const;

export function resolveAddonRef(
  envKey: string,
  from: string,
  key: string,
  addons: ReadonlyMap<string, AddonFact>,
): string {
  const addon = addons.get(from);
  if (!addon) {
    const attached = [...addons.keys()].sort();
    throw new Hop3Error('E_ENV_REF_UNKNOWN_ADDON', `[env].${envKey}: addon "${from}" is not attached to this app`
      + (attached.length ? ` (attached: ${attached.join(', ')}).` : ' (no addon is attached).'), {
      hint: ENV_ERRORS.E_ENV_REF_UNKNOWN_ADDON.hint,
      details: { key: envKey, from, attached },
    });
  }
  if (!Object.hasOwn(addon.vars, key)) {
    const available = Object.keys(addon.vars).sort();
    throw new Hop3Error('E_ENV_REF_UNKNOWN_KEY', `[env].${envKey}: addon "${from}" (${addon.type}) has no variable "${key}"`
      + ` (available: ${available.length ? available.join(', ') : 'none'}).`, {
      hint: ENV_ERRORS.E_ENV_REF_UNKNOWN_KEY.hint,
      details: { key: envKey, from, missing: key, available },
    });
  }
  return addon.vars[key] ?? '';
}

function firstHostname(app: AppFacts, hostNameVar: string | undefined): string | undefined {
  const candidates = app.hostnames && app.hostnames.length > 0
    ? app.hostnames
    : (hostNameVar ?? '').split(/[\s,]+/);
  return candidates.find((h) => h !== '' && h !== '_');
}

export function resolveAppFact(envKey: string, key: string, app: AppFacts, hostNameVar: string | undefined): string {
  if (key === 'name') return app.name;
  if (key === 'domain' || key === 'hostname') {
    const host = firstHostname(app, hostNameVar);
    if (host === undefined) {
      throw new Hop3Error('E_ENV_REF_NO_HOSTNAME', `[env].${envKey}: { key = "${key}" } needs a hostname, but app "${app.name}" has none.`, {
        hint: ENV_ERRORS.E_ENV_REF_NO_HOSTNAME.hint,
        details: { key: envKey, fact: key },
      });
    }
    return host;
  }
  throw new Hop3Error('E_ENV_REF_UNKNOWN_FACT', `[env].${envKey}: "${key}" is not an app fact (available: ${APP_FACT_KEYS.join(', ')}).`, {
    hint: ENV_ERRORS.E_ENV_REF_UNKNOWN_FACT.hint,
    details: { key: envKey, fact: key, available: [...APP_FACT_KEYS] },
  });
}

export function resolveExternalIp(envKey: string, family: IpFamily, app: AppFacts): string {
  const variable = family === 'v4' ? 'HOP3_EXTERNAL_IP' : 'HOP3_EXTERNAL_IP6';
  const fact = app.externalIp?.[family];
  if (!fact) {
    throw new Hop3Error('E_ENV_EXTERNAL_IP_UNKNOWN', `[env].${envKey}: no external ${family === 'v4' ? 'IPv4' : 'IPv6'} address is known for this host.`, {
      hint: `Set ${variable} on the server to the host public address (auto-detection found no default route).`,
      details: { key: envKey, family },
    });
  }
  const cls = classifyIp(fact.address);
  if (!cls || cls.family !== family) {
    throw new Hop3Error('E_ENV_EXTERNAL_IP_INVALID', `[env].${envKey}: "${fact.address}" (${fact.origin}) is not an ${family === 'v4' ? 'IPv4' : 'IPv6'} address.`, {
      hint: ENV_ERRORS.E_ENV_EXTERNAL_IP_INVALID.hint,
      details: { key: envKey, family, address: fact.address, origin: fact.origin },
    });
  }
  if (cls.nonPublicReason !== undefined) {
    const hint = fact.origin === 'operator'
      ? `${variable} is set to a non-public address; set it to the host public address.`
      : `The detected address is not public (NAT or cloud host?); set ${variable} on the server to the public address.`;
    throw new Hop3Error('E_ENV_EXTERNAL_IP_PRIVATE', `[env].${envKey}: ${fact.address} is ${cls.nonPublicReason}, not a public address.`, {
      hint,
      details: { key: envKey, family, address: fact.address, origin: fact.origin, reason: cls.nonPublicReason },
    });
  }
  return fact.address;
}
