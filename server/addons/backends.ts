/**
 * The backend factories this build has, keyed by type: each turns the
 * operator's `addons.<type>` section into an AddonBackend. A type missing
 * here (its backend has not landed) is answered E_ADDON_TYPE_UNAVAILABLE.
 */
import type { AddonType } from './backend.ts';
import { createMysqlBackend } from './mysql.ts';
import type { BackendFactory } from './registry.ts';

export const BACKEND_FACTORIES: Partial<Record<AddonType, BackendFactory>> = {
  mysql: ({ config, hosts }) => {
    const c = config.mysql;
    if (c === undefined) throw new Error('addons.mysql is not configured');
    return createMysqlBackend(
      { host: c.host, port: c.port, adminUser: c.user, ...(c.password === undefined ? {} : { adminPassword: c.password }), ...(c.socket_path === undefined ? {} : { socketPath: c.socket_path }) },
      hosts,
    );
  },
};
