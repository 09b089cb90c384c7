/**
 * The backend factories this build has, keyed by type: each turns the
 * operator's `addons.<type>` section (server/addons/config.ts) into an
 * AddonBackend. A type missing here is answered E_ADDON_TYPE_UNAVAILABLE.
 */
import { ADDON_TYPES, type AddonType } from './backend.ts';
import type { AddonsConfig } from './config.ts';
import type { S3BackendConfig } from './s3.ts';
import type { BackendFactory } from './registry.ts';

function section<T>(value: T | undefined, type: AddonType): T {
  if (value === undefined) throw new Error(`addons.${type} is not configured`);
  return value;
}

/** addons.s3 → the s3 backend's config (endpoint URL split into host/port/TLS). */
export function s3BackendConfig(c: NonNullable<AddonsConfig['s3']>): S3BackendConfig {
  const u = new URL(c.endpoint);
  const useSSL = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? (useSSL ? 443 : 80) : Number(u.port);
  const ep = { host, port, useSSL, region: c.region, appEndpoint: c.app_endpoint, adminAccessKey: c.access_key, adminSecretKey: c.secret_key };
  if (c.kind === 'minio') return { kind: 'minio', ...ep, mcPath: c.mc };
  if (c.app_access_key === undefined || c.app_secret_key === undefined) throw new Error('addons.s3 (generic) needs app_access_key and app_secret_key');
  return { kind: 'generic', ...ep, appAccessKey: c.app_access_key, appSecretKey: c.app_secret_key };
}

/**
 * Each backend module pulls in its server's client library (pg, mysql2, ioredis,
 * minio: ~46 MB of RSS together), so a module is imported only when the operator
 * configured that type. A server without addons never loads them.
 */
export const BACKEND_LOADERS: Readonly<Record<AddonType, () => Promise<BackendFactory>>> = {
  postgres: async () => {
    const { createPostgresBackend } = await import('./postgres.ts');
    return ({ config, hosts }) => {
      const c = section(config.postgres, 'postgres');
      return createPostgresBackend({ host: c.host, port: c.port, adminUser: c.user, adminDatabase: c.database, ...(c.password === undefined ? {} : { adminPassword: c.password }) }, hosts);
    };
  },
  mysql: async () => {
    const { createMysqlBackend } = await import('./mysql.ts');
    return ({ config, hosts }) => {
      const c = section(config.mysql, 'mysql');
      return createMysqlBackend(
        { host: c.host, port: c.port, adminUser: c.user, ...(c.password === undefined ? {} : { adminPassword: c.password }), ...(c.socket_path === undefined ? {} : { socketPath: c.socket_path }) },
        hosts,
      );
    };
  },
  redis: async () => {
    const { createRedisBackend } = await import('./redis.ts');
    return ({ config, hosts, redisDbs }) => {
      const c = section(config.redis, 'redis');
      return createRedisBackend({ host: c.host, port: c.port, adminUser: c.user, adminPassword: c.password, dbLimit: c.databases, acl: c.acl }, hosts, redisDbs);
    };
  },
  s3: async () => {
    const { createS3Backend } = await import('./s3.ts');
    return ({ config, hosts }) => createS3Backend(s3BackendConfig(section(config.s3, 's3')), hosts);
  },
};

/** The factories of the types `config` configures (default: only those). */
export async function loadBackendFactories(config: AddonsConfig, types: readonly AddonType[] = ADDON_TYPES.filter((t) => config[t] !== undefined)): Promise<Partial<Record<AddonType, BackendFactory>>> {
  const out: Partial<Record<AddonType, BackendFactory>> = {};
  for (const t of types) out[t] = await BACKEND_LOADERS[t]();
  return out;
}
