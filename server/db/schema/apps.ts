/** Apps: one row per app; everything an app owns cascades from here. */
import { type AnySQLiteColumn, check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { releases } from './releases.ts';

export const APP_STATES = ['created', 'running', 'stopped', 'failed'] as const;

export const apps = sqliteTable(
  'apps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull().unique(),
    /** shared-protocol/api/apps.ts AppState; the deploy pipeline moves it. */
    state: text('state', { enum: APP_STATES }).notNull().default('created'),
    /** The release serving traffic; null before the first successful deploy. */
    currentReleaseId: integer('current_release_id').references((): AnySQLiteColumn => releases.id, { onDelete: 'set null' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [check('apps_state_valid', sql`${t.state} IN ('created', 'running', 'stopped', 'failed')`)],
);
