/**
 * The contract every addon backend implements (postgres, mysql, redis, s3).
 * The lifecycle service (create/attach/detach/destroy, storage, encryption,
 * env injection) is generic; a backend only knows how to create, describe,
 * check and remove its own resources on an operator-configured server.
 *
 * Rules every backend follows:
 * - Names reaching a backend are already validated (ADDON_NAME_PATTERN).
 *   Database/user identifiers are DERIVED from the name (derivedIdentifier)
 *   and still quoted with the server's own quoting rules — never interpolated raw.
 * - Secrets (passwords, secret keys) are generated with node:crypto, returned
 *   in `secrets`, and never appear in argv, logs, error messages, or a
 *   server's statement log (use protocol-level password messages / hashed
 *   forms where the server supports it).
 * - provision is safe to retry after a partial failure (it cleans up what it
 *   created before rethrowing), and deprovision is idempotent.
 * - The host apps connect to comes from the one `AddonHosts` object, so a
 *   later Docker rewrite (127.0.0.1 → host gateway) is one line.
 */
import { createHash } from 'node:crypto';
import type { Hop3Error } from '../../shared-protocol/errors.ts';

export type AddonType = 'postgres' | 'mysql' | 'redis' | 's3';
export const ADDON_TYPES: readonly AddonType[] = ['postgres', 'mysql', 'redis', 's3'];

/** Addon names: lowercase, start with a letter, 1-63 chars (issue 5). */
export const ADDON_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1); MariaDB allows 64 for databases, so 63 fits both. */
export const IDENTIFIER_MAX = 63;

/**
 * A server identifier derived from an addon name: `hop3_` + the name with
 * dashes as underscores (e.g. "my-db" → "hop3_my_db"). When that exceeds 63
 * chars, it is `hop3_` + a prefix of the name + `_` + the first 8 hex chars
 * of sha256(name), exactly 63 chars — so two long names sharing a 58-char
 * prefix still get different identifiers. Still quote it when used.
 */
export function derivedIdentifier(name: string): string {
  if (!new RegExp(ADDON_NAME_PATTERN).test(name)) throw new Error(`invalid addon name ${JSON.stringify(name)}`);
  const plain = `hop3_${name.replace(/-/g, '_')}`;
  if (plain.length <= IDENTIFIER_MAX) return plain;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  return `${plain.slice(0, IDENTIFIER_MAX - 9)}_${hash}`;
}

/** Where apps reach addon servers (one place: the Docker rewrite will change only this). */
export interface AddonHosts {
  /** Host name/IP apps use in URLs and *_HOST vars for this type. */
  appHost(type: AddonType): string;
}

/** What provisioning produced. `resource` is non-secret bookkeeping; `secrets` is encrypted at rest. */
export interface Provisioned {
  readonly resource: Readonly<Record<string, string | number | boolean>>;
  readonly secrets: Readonly<Record<string, string>>;
}

export interface ProvisionOptions {
  /** postgres only: extensions to install as superuser (already checked against the allow-list). */
  readonly extensions?: readonly string[];
}

export interface AddonStatus {
  readonly ok: boolean;
  /** One line, no secrets: e.g. "connected as hop3_my_db to database hop3_my_db (PostgreSQL 15.19)". */
  readonly detail: string;
}

export interface AddonBackend {
  readonly type: AddonType;
  /** The injected variable names, in display order (the env contract; refs may use only these). */
  readonly envKeys: readonly string[];
  /** Backup methods this backend supports (ADR 046 §4: validated against [addons.backup].method). */
  readonly supportedBackupMethods: readonly string[];
  /** Create the resources for `name`. Throws Hop3Error (E_ADDON_*) with a hint on failure, leaving nothing behind. */
  provision(name: string, opts: ProvisionOptions): Promise<Provisioned>;
  /** The variables injected into attached apps. Pure. */
  env(name: string, p: Provisioned): Record<string, string>;
  /** Connect with the addon's OWN credentials (not the admin's) and report. */
  status(name: string, p: Provisioned): Promise<AddonStatus>;
  /** Remove everything provision created (data included). Idempotent. */
  deprovision(name: string, p: Provisioned): Promise<void>;
  /** Release connections/pools held by the backend. */
  close(): Promise<void>;
}

/** Redis logical databases are allocated by the lifecycle service (a unique constraint, not a scan). */
export interface RedisDbAllocator {
  /**
   * Claim the lowest free DB number in 1..limit-1 for `addon` (idempotent);
   * throws E_ADDON_EXHAUSTED naming the holders. DB 0 is never handed out:
   * every connection starts in DB 0 and ACL cannot keep a user out of it.
   */
  claim(addon: string, limit: number): number;
  /** The DB `addon` holds now, if any (deprovision flushes only a DB its addon still holds). */
  heldBy(addon: string): number | undefined;
  release(addon: string): void;
}

export type BackendError = Hop3Error;
