/**
 * Pure helpers for the redis backend: the per-addon ACL user, its rules, and
 * the URL. No I/O here, so every string the server receives is unit-tested.
 *
 * What Redis 7.0 ACL can and cannot do to confine a user to one logical DB:
 * - ACL has NO notion of a database: key patterns (~), channels (&) and
 *   selectors apply to every DB alike.
 * - It CAN restrict SELECT to one argument with the (deprecated but supported
 *   in 7.x) first-argument rule `-select +select|<n>`: SELECT of any other DB
 *   answers NOPERM. We also remove the commands that reach another DB by
 *   argument: MOVE and COPY (its DB option cannot be restricted per argument,
 *   so COPY goes entirely), SWAPDB, FLUSHALL and MIGRATE (the last three are
 *   in @dangerous, which we remove whole — MONITOR, CONFIG, CLIENT KILL, ACL,
 *   DEBUG go with it — then give back KEYS, SORT/SORT_RO, FLUSHDB and INFO,
 *   which apps commonly use).
 * - It CANNOT stop a connection from using DB 0 without SELECT: every
 *   connection starts in DB 0. So the user is confined to its DB *and DB 0*.
 *   Whoever holds DB 0 (if the allocator hands it out) shares it with every
 *   addon user, so the lifecycle allocator (redis-dbs.ts) starts at 1 and never
 *   hands out DB 0. This is stated in the status detail and docs/addons.md.
 * - Passwords: the user's password is set by its SHA-256 (`#<hex>`), so the
 *   plaintext never travels in ACL SETUSER. An app's AUTH necessarily sends
 *   it (the protocol has no other login); Redis redacts AUTH in MONITOR.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The per-addon ACL user name: `hop3-<name>` (names are pre-validated). */
export function redisUser(name: string): string {
  return `hop3-${name}`;
}

/** A generated password (URL-safe, 256 bits). */
export function generateRedisPassword(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * Commands given back after removing @dangerous: KEYS/SORT/FLUSHDB touch only
 * the current DB; INFO (client ready checks, Sidekiq/Celery dashboards) shows
 * server metadata and per-DB key counts, never keys or values.
 */
export const REDIS_ALLOWED_DANGEROUS = ['keys', 'sort', 'sort_ro', 'flushdb', 'info'] as const;
/** Commands that reach another DB by argument and are not in @dangerous. */
export const REDIS_CROSS_DB_COMMANDS = ['move', 'copy'] as const;

/**
 * The ACL SETUSER arguments (after the user name) that create/replace the
 * addon user: `reset` first so a retry yields exactly these rules.
 */
export function redisAclRules(passwordSha256: string, db: number): string[] {
  if (!/^[0-9a-f]{64}$/.test(passwordSha256)) throw new Error('password hash must be 64 hex chars');
  if (!Number.isInteger(db) || db < 0) throw new Error(`invalid redis db ${db}`);
  return [
    'reset',
    'on',
    `#${passwordSha256}`,
    '~*',
    '&*',
    '+@all',
    '-@dangerous',
    ...REDIS_ALLOWED_DANGEROUS.map((c) => `+${c}`),
    ...REDIS_CROSS_DB_COMMANDS.map((c) => `-${c}`),
    '-select',
    `+select|${db}`,
  ];
}

export interface RedisUrlParts {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/** redis://[user:pass@]host:port/db — user and password percent-encoded. */
export function redisUrl(p: RedisUrlParts): string {
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  let auth = '';
  if (p.password !== undefined) {
    auth = `${p.user === undefined ? '' : encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@`;
  }
  return `redis://${auth}${host}:${p.port}/${p.db}`;
}
