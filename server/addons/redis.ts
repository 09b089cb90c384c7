/**
 * The redis backend: one logical DB per addon on an operator-configured
 * server, claimed through the lifecycle's RedisDbAllocator (a unique
 * constraint, not a scan). Where the server has ACL users (Redis >= 6), each
 * addon also gets its own user `hop3-<name>` whose password is set by its
 * SHA-256 and whose SELECT is limited to its DB — see redis-acl.ts for what
 * ACL can and cannot confine (DB 0 stays reachable: every connection starts
 * there, so the allocator never hands out DB 0 — addons get 1..limit-1 and
 * DB 0 is a scratch space every addon user can reach). Without ACL the apps
 * share the server's password, if any.
 *
 * Deprovision flushes a DB only while the allocator still records it as this
 * addon's: a repeated or stale deprovision after the release can never flush
 * (or delete the user of) a DB another addon has claimed since.
 *
 * Backups: supportedBackupMethods is [] on purpose. An RDB snapshot holds
 * every DB of the server; restoring one would overwrite the other addons'
 * data, so there is no per-addon method yet (a DUMP/RESTORE-per-key export
 * is the planned one).
 */
import { Redis } from 'ioredis';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts, AddonStatus, Provisioned, RedisDbAllocator } from './backend.ts';
import { generateRedisPassword, redisAclRules, redisUrl, redisUser, sha256Hex } from './redis-acl.ts';

export interface RedisBackendConfig {
  readonly host: string;
  readonly port: number;
  /** The admin's password (requirepass of the default user, or of adminUser). */
  readonly adminPassword?: string | undefined;
  /** An ACL admin user; the default user when absent. */
  readonly adminUser?: string | undefined;
  /** Logical DBs hop3 may hand out (0..dbLimit-1); default 16, clamped to the server's `databases`. */
  readonly dbLimit?: number | undefined;
  /** 'auto' (default): per-addon ACL users when the server has ACL; 'off': never. */
  readonly acl?: 'auto' | 'off' | undefined;
  /** How per-addon passwords are made (default generateRedisPassword; tests plant a sentinel). */
  readonly newPassword?: (() => string) | undefined;
}

export const REDIS_ENV_KEYS = ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_DB'] as const;

type AclPersisted = 'aclfile' | 'config' | 'none';

function messageOf(e: unknown): string {
  // ioredis errors carry the command's args on `.command`; only the message is kept (no secrets there).
  return e instanceof Error ? e.message : String(e);
}

function isConnectionError(e: unknown): boolean {
  const m = messageOf(e);
  return /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection is closed|connect ETIMEDOUT|max retries/i.test(m);
}

function fail(what: string, e: unknown, cfg: RedisBackendConfig): Hop3Error {
  if (e instanceof Hop3Error) return e;
  if (isConnectionError(e)) {
    return new Hop3Error('E_ADDON_BACKEND_UNREACHABLE', `redis at ${cfg.host}:${cfg.port} unreachable while ${what}: ${messageOf(e)}`, {
      hint: 'Check that redis-server runs and addons.redis host/port point at it.',
    });
  }
  return new Hop3Error('E_ADDON_PROVISION_FAILED', `redis ${what} failed: ${messageOf(e)}`, {
    hint: 'Check the admin credentials (they need ACL, CONFIG and FLUSHDB) and the server log.',
  });
}

/** Connection-level errors (AUTH failures arrive as 'error' events, the command then only sees "Connection is closed"). */
const lastErrors = new WeakMap<Redis, string>();

function connect(opts: { host: string; port: number; db?: number; username?: string | undefined; password?: string | undefined }): Redis {
  const c = new Redis({
    host: opts.host,
    port: opts.port,
    db: opts.db ?? 0,
    ...(opts.username === undefined ? {} : { username: opts.username }),
    ...(opts.password === undefined ? {} : { password: opts.password }),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    enableReadyCheck: false,
  });
  c.on('error', (e: unknown) => lastErrors.set(c, messageOf(e))); // surfaced through the awaited commands
  return c;
}

function num(p: Provisioned, key: string): number {
  const v = p.resource[key];
  if (typeof v !== 'number') throw new Error(`redis addon resource lacks ${key}`);
  return v;
}

export function createRedisBackend(cfg: RedisBackendConfig, hosts: AddonHosts, allocator: RedisDbAllocator): AddonBackend {
  let admin: Redis | undefined;
  let aclSupport: boolean | undefined;
  let serverDbs: number | undefined;

  async function adminConn(): Promise<Redis> {
    if (admin !== undefined && admin.status === 'ready') return admin;
    admin?.disconnect();
    const c = connect({ host: cfg.host, port: cfg.port, username: cfg.adminUser, password: cfg.adminPassword });
    admin = c;
    await c.connect();
    return c;
  }

  async function hasAcl(c: Redis): Promise<boolean> {
    if (cfg.acl === 'off') return false;
    if (aclSupport !== undefined) return aclSupport;
    try {
      await c.call('ACL', 'WHOAMI');
      aclSupport = true;
    } catch (e) {
      if (!/unknown command/i.test(messageOf(e))) throw e;
      aclSupport = false;
    }
    return aclSupport;
  }

  async function dbLimit(c: Redis): Promise<number> {
    const wanted = cfg.dbLimit ?? 16;
    if (serverDbs === undefined) {
      try {
        const r = (await c.call('CONFIG', 'GET', 'databases')) as unknown;
        const v = Array.isArray(r) ? Number(r[1]) : NaN;
        serverDbs = Number.isInteger(v) && v > 0 ? v : wanted;
      } catch {
        serverDbs = wanted; // CONFIG not allowed for this admin: trust the operator's limit
      }
    }
    return Math.min(wanted, serverDbs);
  }

  /** Store ACL users where the server keeps them across restarts, if it can. */
  async function persistAcl(c: Redis): Promise<AclPersisted> {
    try {
      await c.call('ACL', 'SAVE');
      return 'aclfile';
    } catch {
      try {
        await c.call('CONFIG', 'REWRITE');
        return 'config';
      } catch {
        return 'none';
      }
    }
  }

  async function flushDb(c: Redis, db: number): Promise<void> {
    // MULTI keeps SELECT and FLUSHDB together on the shared admin connection.
    const r = await c.multi().select(db).flushdb().select(0).exec();
    const err = r?.find(([e]) => e !== null)?.[0];
    if (err) throw err;
  }

  return {
    type: 'redis',
    envKeys: REDIS_ENV_KEYS,
    supportedBackupMethods: [],

    async provision(name) {
      const user = redisUser(name);
      let c: Redis;
      let limit: number;
      let acl: boolean;
      try {
        c = await adminConn();
        acl = await hasAcl(c);
        limit = await dbLimit(c);
      } catch (e) {
        throw fail('connecting as admin', e, cfg);
      }
      const db = allocator.claim(name, limit); // throws E_ADDON_EXHAUSTED naming the holders
      let userCreated = false;
      try {
        const [, size] = (await c.multi().select(db).dbsize().select(0).exec()) ?? [];
        if (size?.[0]) throw size[0];
        if (typeof size?.[1] === 'number' && size[1] > 0) {
          throw new Hop3Error('E_ADDON_PROVISION_FAILED', `redis DB ${db} already holds ${size[1]} keys that no addon owns`, {
            hint: `Inspect it (redis-cli -n ${db}) and flush it if it is stale, or lower addons.redis.databases to keep hop3 off it.`,
          });
        }
        if (!acl) {
          const secrets: Record<string, string> = cfg.adminPassword === undefined ? {} : { password: cfg.adminPassword };
          return { resource: { db, host: cfg.host, port: cfg.port, acl: false }, secrets };
        }
        const password = (cfg.newPassword ?? generateRedisPassword)();
        await c.call('ACL', 'SETUSER', user, ...redisAclRules(sha256Hex(password), db));
        userCreated = true;
        const persisted = await persistAcl(c);
        return { resource: { db, host: cfg.host, port: cfg.port, acl: true, user, aclPersisted: persisted }, secrets: { password } };
      } catch (e) {
        if (userCreated) await c.call('ACL', 'DELUSER', user).catch(() => undefined);
        allocator.release(name);
        throw fail(`provisioning ${name}`, e, cfg);
      }
    },

    env(_name, p) {
      const db = num(p, 'db');
      const port = num(p, 'port');
      const host = hosts.appHost('redis');
      const user = p.resource['acl'] === true ? String(p.resource['user']) : undefined;
      return {
        REDIS_URL: redisUrl({ host, port, db, user, password: p.secrets['password'] }),
        REDIS_HOST: host,
        REDIS_PORT: String(port),
        REDIS_DB: String(db),
      };
    },

    async status(name, p): Promise<AddonStatus> {
      const db = num(p, 'db');
      const acl = p.resource['acl'] === true;
      const user = acl ? String(p.resource['user']) : undefined;
      const c = connect({ host: cfg.host, port: num(p, 'port'), db, username: user, password: p.secrets['password'] });
      try {
        await c.connect();
        const pong = await c.ping();
        await c.select(db);
        const hello = (await c.call('HELLO', '2')) as unknown;
        const i = Array.isArray(hello) ? hello.indexOf('version') : -1;
        const version = i >= 0 && Array.isArray(hello) ? String(hello[i + 1]) : 'unknown';
        const who = acl ? `as ${user}` : 'without an ACL user (server has no ACL or it is off)';
        const scope = acl ? `; SELECT limited to DB ${db} (DB 0 stays reachable: ACL cannot bind the default DB)` : '';
        const persisted = acl && p.resource['aclPersisted'] === 'none' ? '; ACL user not persisted (no aclfile or config file)' : '';
        return { ok: pong === 'PONG', detail: `connected ${who} to DB ${db} (Redis ${version})${scope}${persisted}` };
      } catch (e) {
        const m = lastErrors.get(c) ?? messageOf(e);
        const hint = /WRONGPASS|NOAUTH/.test(m) && acl ? ' (ACL user missing or changed: was the server restarted without persisted ACLs?)' : '';
        return { ok: false, detail: `addon ${name} on DB ${db}: ${m}${hint}` };
      } finally {
        c.disconnect();
      }
    },

    async deprovision(name, p) {
      const db = num(p, 'db');
      // Already released (a repeated or stale call): DB `db` may belong to another addon now — touch nothing.
      if (allocator.heldBy(name) !== db) return;
      try {
        const c = await adminConn();
        await flushDb(c, db);
        if (p.resource['acl'] === true && (await hasAcl(c))) {
          const deleted = (await c.call('ACL', 'DELUSER', redisUser(name))) as number;
          if (deleted > 0) await persistAcl(c);
        }
      } catch (e) {
        throw fail(`deprovisioning ${name}`, e, cfg);
      }
      allocator.release(name);
    },

    async close() {
      const c = admin;
      admin = undefined;
      if (c !== undefined) await c.quit().catch(() => c.disconnect());
    },
  };
}
