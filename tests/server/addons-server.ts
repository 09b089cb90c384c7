/**
 * An in-process hop3-server (port 0, temp data dir, deploy extension without
 * reconcile) whose redis addons go to a private redis-server 7 (tests/addons/
 * redis-instance.ts: 64 DBs, requirepass) through the REAL redis backend
 * (per-addon ACL users; passwords planted with a sentinel prefix); the log is
 * kept in memory so tests can search it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTokenStore } from '../../server/auth/tokens.ts';
import { resolveConfig } from '../../server/config.ts';
import { createDeployExtension } from '../../server/deploy/extension.ts';
import { memoryLogger } from '../../server/log.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { createAppsService } from '../../server/services/apps.ts';
import { NO_HOOKS } from '../../server/services/hooks.ts';
import { createRedisBackend } from '../../server/addons/redis.ts';
import { startRedis, type RedisInstance } from '../addons/redis-instance.ts';
import { tempDir } from './helpers.ts';

export const SENTINEL = 'S3NT1NEL-secret-';

export interface AddonsServer {
  readonly url: string;
  readonly token: string;
  readonly server: RunningServer;
  readonly redis: RedisInstance;
  readonly logs: Array<Record<string, unknown>>;
  readonly dbFile: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  createApp(name: string): void;
  stop(): Promise<void>;
}

export async function startAddonsServer(): Promise<AddonsServer> {
  const t = tempDir('hop3-addons-');
  const redis = await startRedis({ databases: 64 });
  const { config } = resolveConfig({
    env: { HOP3_LISTEN: '127.0.0.1:0', HOP3_DATA_DIR: join(t.dir, 'data'), HOP3_ROOTD_SOCKET: join(t.dir, 'none.sock'), HOP3_VASSAL_DIR: join(t.dir, 'absent'), HOP3_LOG_LEVEL: 'debug' },
  });
  const log = memoryLogger('debug');
  const server = await startServer(config, {
    log,
    extend: (ctx) =>
      createDeployExtension(ctx, {
        reconcile: false,
        addons: {
          factories: {
            redis: (d) =>
              createRedisBackend(
                { host: '127.0.0.1', port: redis.port, adminPassword: redis.adminPassword, dbLimit: 64, newPassword: () => SENTINEL + randomBytes(12).toString('hex') },
                d.hosts,
                d.redisDbs,
              ),
          },
        },
      }),
  });
  const token = createTokenStore({ db: server.context.db, clock: () => new Date() }).create('tester').token;
  const url = `http://${server.address}`;
  return {
    url,
    token,
    server,
    redis,
    logs: log.lines,
    dbFile: config.dbPath,
    async api(method, path, body) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    createApp(name) {
      createAppsService({ db: server.context.db, clock: () => new Date(), serverDomain: 'hop3.test', hooks: NO_HOOKS }).create(name);
    },
    async stop() {
      await server.close();
      await redis.stop();
      t.cleanup();
    },
  };
}
