/**
 * Addons: one row per addon instance (name unique server-wide), its
 * attachments to apps, and the Redis logical DB numbers held by addons.
 * The row is inserted in state "provisioning" BEFORE the backend runs, so the
 * unique name is the lock: two concurrent creates of one name cannot both
 * provision. Secrets are sealed with AAD ['addon', name].
 */
import { sql } from 'drizzle-orm';
import { blob, check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apps } from './apps.ts';

export const ADDON_STATES = ['provisioning', 'ready'] as const;

export const addons = sqliteTable(
  'addons',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull().unique(),
    type: text('type').notNull(),
    state: text('state', { enum: ADDON_STATES }).notNull().default('provisioning'),
    /** Non-secret bookkeeping from the backend (Provisioned.resource), JSON. */
    resource: text('resource', { mode: 'json' }).$type<Record<string, string | number | boolean>>().notNull().default(sql`'{}'`),
    /** Provisioned.secrets as JSON, sealed with AAD ['addon', name]; null while provisioning. */
    secretsSealed: blob('secrets_sealed', { mode: 'buffer' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    check('addons_state_valid', sql`${t.state} IN ('provisioning', 'ready')`),
    check('addons_type_valid', sql`${t.type} IN ('postgres', 'mysql', 'redis', 's3')`),
  ],
);

export const addonAttachments = sqliteTable(
  'addon_attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    addonId: integer('addon_id')
      .notNull()
      .references(() => addons.id, { onDelete: 'cascade' }),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    /** Copied from the addon, so "one primary per type per app" is a unique index. */
    type: text('type').notNull(),
    /** The primary of its type on the app also gets the unprefixed variable names. */
    primary: integer('is_primary', { mode: 'boolean' }).notNull(),
    /** `<NAME>_`: the addon name upper-cased, dashes as underscores. */
    prefix: text('prefix').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    uniqueIndex('addon_attachments_addon_app').on(t.addonId, t.appId),
    uniqueIndex('addon_attachments_one_primary').on(t.appId, t.type).where(sql`${t.primary} = 1`),
    index('addon_attachments_app').on(t.appId),
  ],
);

/** Redis logical databases: the unique constraints make allocation race-free (no scan of a file). */
export const redisDbs = sqliteTable(
  'redis_dbs',
  {
    number: integer('number').notNull().unique(),
    addon: text('addon')
      .notNull()
      .unique()
      .references(() => addons.name, { onDelete: 'cascade' }),
  },
  (t) => [check('redis_dbs_number_range', sql`${t.number} >= 0`)],
);
