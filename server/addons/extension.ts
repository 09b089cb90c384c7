/**
 * The addons part of hop3-server: the backend registry (operator config ×
 * the factories this build has), the Redis DB allocator, the lifecycle
 * service and its routes. The deploy extension composes it (one `extend`).
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../http/context.ts';
import type { MountDeps } from '../http/mount.ts';
import { registerAddonRoutes } from '../routes/addons.ts';
import type { ServerContext } from '../server.ts';
import type { AddonBackend, AddonType } from './backend.ts';
import { loadBackendFactories } from './backends.ts';
import { createRedisDbAllocator } from './redis-dbs.ts';
import { configHosts, createBackendRegistry, type BackendFactory } from './registry.ts';
import { createAddonService, type AddonService } from './service.ts';

export interface AddonsOptions {
  /** Ready-made backends (tests), used instead of the factories. */
  readonly backends?: Partial<Record<AddonType, AddonBackend>>;
  /** Factories (tests): built at once with the allocator and hosts, configured or not. */
  readonly factories?: Partial<Record<AddonType, BackendFactory>>;
}

export interface AddonsPart {
  readonly service: AddonService;
  readonly extraRoutes: (app: Hono<AppEnv>, mount: MountDeps) => void;
  close(): Promise<void>;
}

export async function createAddonsPart(ctx: Pick<ServerContext, 'config' | 'db' | 'secrets' | 'clock' | 'log'>, opts: AddonsOptions = {}): Promise<AddonsPart> {
  const config = ctx.config.addons;
  const deps = { config, hosts: configHosts(config), redisDbs: createRedisDbAllocator(ctx.db) };
  const given: Partial<Record<AddonType, AddonBackend>> = { ...opts.backends };
  for (const [t, f] of Object.entries(opts.factories ?? {}) as [AddonType, BackendFactory][]) given[t] = f(deps);
  const registry = createBackendRegistry(await loadBackendFactories(config), deps, given);
  const service = createAddonService({ db: ctx.db, secrets: ctx.secrets, backends: registry, clock: ctx.clock, log: ctx.log, extraPgExtensions: config.extra_pg_extensions });
  return {
    service,
    extraRoutes: (app, mount) => registerAddonRoutes(app, mount, { addons: service }),
    close: () => registry.close(),
  };
}
