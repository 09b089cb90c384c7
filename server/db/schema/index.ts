/** The drizzle schema: every table of the server's SQLite database. */
export { apps, APP_STATES } from './apps.ts';
export { releases, RELEASE_STATUSES, type ReleaseStatus } from './releases.ts';
export { envVars } from './env-vars.ts';
export { domains } from './domains.ts';
export { apiTokens } from './api-tokens.ts';
export { addons, addonAttachments, redisDbs, ADDON_STATES } from './addons.ts';
