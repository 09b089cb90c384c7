/**
 * PostgreSQL extension policy for [[addons]] type = "postgres" (addons guide).
 * The default allow-list is the PG13+ trusted set plus audited non-trusted
 * extensions; HOP3_EXTRA_PG_EXTENSIONS (passed in by the caller) extends it;
 * the hard-deny set can never be enabled.
 */

/** Trusted in PG13+ (installable by the per-app owner) and audited non-trusted ones. */
export const DEFAULT_PG_EXTENSIONS: ReadonlySet<string> = new Set([
  // trusted (PG13+)
  'btree_gin', 'btree_gist', 'citext', 'cube', 'dict_int', 'fuzzystrmatch', 'hstore', 'intarray', 'isn',
  'lo', 'ltree', 'pgcrypto', 'pg_trgm', 'seg', 'tablefunc', 'tcn', 'tsm_system_rows', 'tsm_system_time',
  'unaccent', 'uuid-ossp', 'plpgsql', 'plperl', 'pltcl',
  // non-trusted, audited: no privilege-escalation surface
  'postgis', 'pgvector', 'vector', 'bloom', 'earthdistance', 'ip4r', 'pg_stat_statements',
]);

/** Filesystem, network or arbitrary-code capability: never enabled, not even by the operator override. */
export const DENIED_PG_EXTENSIONS: ReadonlySet<string> = new Set([
  'postgres_fdw', 'dblink', 'file_fdw', 'adminpack',
  'plpythonu', 'plpython2u', 'plpython3u', 'plperlu', 'pltclu', 'plr', 'plsh', 'pllua_u', 'plluau', 'pljavau',
]);

/** Split a HOP3_EXTRA_PG_EXTENSIONS value ("pg_partman, timescaledb") into names. */
export function parseExtraPgExtensions(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export type ExtensionVerdict = 'allowed' | 'denied' | 'not-allowed';

export function extensionVerdict(name: string, extra: readonly string[] = []): ExtensionVerdict {
  const n = name.toLowerCase();
  if (DENIED_PG_EXTENSIONS.has(n)) return 'denied';
  if (DEFAULT_PG_EXTENSIONS.has(n) || extra.some((e) => e.toLowerCase() === n)) return 'allowed';
  return 'not-allowed';
}
