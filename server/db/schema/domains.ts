/** Host names added to apps; a host name belongs to at most one app. */
import { integer, sqliteTable, text, index } from 'drizzle-orm/sqlite-core';
import { apps } from './apps.ts';

export const domains = sqliteTable(
  'domains',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    hostname: text('hostname').notNull().unique(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('domains_app').on(t.appId)],
);
