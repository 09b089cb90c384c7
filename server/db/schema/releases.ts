/**
 * Releases: one row per deploy attempt (a failed deploy is a failed release),
 * numbered per app from 1. Rollback creates no row: it points
 * apps.current_release_id back at an earlier live-able release. Written by
 * the deploy pipeline; designed here so the schema is settled early.
 */
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apps } from './apps.ts';

export const RELEASE_STATUSES = [
  /** Row created, upload being received. */
  'pending',
  'building',
  /** New vassal started, waiting for its health check. */
  'starting',
  /** Serving traffic (at most one per app). */
  'live',
  /** Was live, replaced by a newer deploy or a rollback; can be rolled back to. */
  'superseded',
  /** Upload, config, build, release command or health check failed; error_* say why. */
  'failed',
] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export const releases = sqliteTable(
  'releases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    /** 1, 2, 3... per app; what `hop3 releases` and `hop3 rollback <n>` show. */
    number: integer('number').notNull(),
    status: text('status', { enum: RELEASE_STATUSES }).notNull(),
    /** SHA-256 (hex) of the uploaded tar.gz. */
    sourceSha256: text('source_sha256'),
    /** SHA-256 (hex) of the normalized app config (hop3.toml/Procfile) used. */
    configHash: text('config_hash'),
    /** Toolchain used: static, node, python, go, generic. */
    builder: text('builder'),
    /** JSON array of env var names the release ran with (names only; values are in env_sealed). */
    envKeys: text('env_keys', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** The resolved env, JSON, sealed with AAD ['release-env', app, number] (server/crypto/secrets.ts). */
    envSealed: blob('env_sealed', { mode: 'buffer' }),
    /** Process types and counts, e.g. {"web":1,"worker":2}. */
    processes: text('processes', { mode: 'json' }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    /** Loopback port of the web process, once started. */
    port: integer('port'),
    /** Loopback ports of every web copy (what nginx balances over), once switched. */
    webPorts: text('web_ports', { mode: 'json' }).$type<number[]>().notNull().default(sql`'[]'`),
    /** Pipeline steps with durations: [{"step":"build","duration_ms":812,"outcome":"ok"}, ...]. */
    steps: text('steps', { mode: 'json' }).$type<Array<{ step: string; duration_ms: number; outcome: string }>>().notNull().default(sql`'[]'`),
    /** Relative static root (static sites), e.g. "public"; null when the app has processes only. */
    staticRoot: text('static_root'),
    /** Directory under APP_ROOT holding this release's tree. */
    releaseDir: text('release_dir'),
    buildMs: integer('build_ms'),
    deployMs: integer('deploy_ms'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorHint: text('error_hint'),
    /** Name of the API token that started the deploy. */
    createdBy: text('created_by'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('releases_app_number').on(t.appId, t.number),
    index('releases_app_status').on(t.appId, t.status),
    uniqueIndex('releases_one_live_per_app').on(t.appId).where(sql`${t.status} = 'live'`),
    check('releases_status_valid', sql`${t.status} IN ('pending', 'building', 'starting', 'live', 'superseded', 'failed')`),
    check('releases_number_positive', sql`${t.number} >= 1`),
    check('releases_port_range', sql`${t.port} IS NULL OR (${t.port} BETWEEN 1 AND 65535)`),
  ],
);
