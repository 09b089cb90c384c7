/** drizzle-kit config: `npm run db:generate` writes a new SQL migration after a schema change. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/db/schema/index.ts',
  out: './server/db/migrations',
});
