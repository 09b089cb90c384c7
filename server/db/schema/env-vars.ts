/** App env vars set through the API; values sealed with AAD ['env', app name, var name]. */
import { blob, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { apps } from './apps.ts';

export const envVars = sqliteTable(
  'env_vars',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    valueSealed: blob('value_sealed', { mode: 'buffer' }).notNull(),
    /** Display only: a secret's value is null in API answers unless show_secrets is asked for. */
    secret: integer('secret', { mode: 'boolean' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('env_vars_app_name').on(t.appId, t.name)],
);
