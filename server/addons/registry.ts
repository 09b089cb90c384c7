/**
 * Which backends this server offers: a type is available when the operator
 * configured it AND a backend factory is registered for it. Backends are
 * built lazily (first use) and closed with the server.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts, AddonType, RedisDbAllocator } from './backend.ts';
import type { AddonsConfig } from './config.ts';

export interface BackendFactoryDeps {
  readonly config: AddonsConfig;
  readonly hosts: AddonHosts;
  readonly redisDbs: RedisDbAllocator;
}
export type BackendFactory = (deps: BackendFactoryDeps) => AddonBackend;

/** The one place apps' addon host comes from (a later Docker rewrite changes only this). */
export function configHosts(config: AddonsConfig): AddonHosts {
  return { appHost: (type) => (type === 's3' ? undefined : config[type]?.app_host) ?? '127.0.0.1' };
}

export interface BackendRegistry {
  available(type: AddonType): boolean;
  /** The backend for a type, or E_ADDON_TYPE_UNAVAILABLE with a hint. */
  get(type: AddonType): AddonBackend;
  close(): Promise<void>;
}

export function createBackendRegistry(
  factories: Partial<Record<AddonType, BackendFactory>>,
  deps: BackendFactoryDeps,
  /** Ready-made backends (tests); they count as configured. */
  given: Partial<Record<AddonType, AddonBackend>> = {},
): BackendRegistry {
  const built = new Map<AddonType, AddonBackend>(Object.entries(given) as [AddonType, AddonBackend][]);
  const configured = (t: AddonType): boolean => built.has(t) || (deps.config[t] !== undefined && factories[t] !== undefined);
  return {
    available: configured,
    get(type) {
      const have = built.get(type);
      if (have !== undefined) return have;
      const factory = factories[type];
      if (deps.config[type] === undefined || factory === undefined) {
        throw new Hop3Error('E_ADDON_TYPE_UNAVAILABLE', `this server offers no ${type} addons`, {
          hint:
            deps.config[type] === undefined
              ? `Ask the operator to add an \`addons.${type}\` admin connection to the server config (docs/addons.md).`
              : `This build has no ${type} backend; see docs/addons.md.`,
        });
      }
      const b = factory(deps);
      built.set(type, b);
      return b;
    },
    async close() {
      for (const b of built.values()) await b.close();
    },
  };
}
