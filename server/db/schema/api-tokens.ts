/** API bearer tokens: only the SHA-256 of the token is stored, never the token. */
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** Hex SHA-256 of the whole token string. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The first characters of the token (e.g. hop3_AbCd), to recognize it in lists. */
    prefix: text('prefix').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  // Names are unique among active tokens; a revoked name can be reused.
  (t) => [uniqueIndex('api_tokens_active_name').on(t.name).where(sql`${t.revokedAt} IS NULL`)],
);
