/**
 * /v1/addons and /v1/apps/:app/addons: create, list, show, status, attach,
 * detach, promote, destroy, types. Secrets are masked in every answer unless
 * show_secrets is asked for (and each reveal is logged by token name).
 */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';
import { AppName, AppParams, ERROR_CODE_KEY } from './common.ts';
import { defineRoute, NoParams, NoQuery, QueryFlag, Timestamp } from './define.ts';

/** Same as server/addons/backend.ts ADDON_NAME_PATTERN (kept here: shared-protocol imports nothing from server). */
export const ADDON_NAME_RE = '^[a-z][a-z0-9-]{0,62}$';
export const ADDON_TYPE_NAMES = ['postgres', 'mysql', 'redis', 's3'] as const;

export const ADDON_ERRORS = defineErrors({
  E_INVALID_ADDON_NAME: {
    meaning: 'The addon name is not valid.',
    hint: 'Use 1-63 chars: lowercase letters, digits and dashes, starting with a letter (e.g. my-cache).',
  },
  E_ADDON_TYPE_UNKNOWN: { meaning: 'The addon type is not one of postgres, mysql, redis, s3.', hint: 'See `hop3 addon types`.' },
  E_ADDON_TYPE_UNAVAILABLE: {
    meaning: 'The operator has not configured a server for this addon type.',
    hint: 'Ask the operator to add the type to the `addons` section of the server config (docs/addons.md).',
  },
  E_ADDON_NOT_FOUND: { meaning: 'No addon has this name.', hint: 'List addons with `hop3 addon list`.' },
  E_ADDON_EXISTS: { meaning: 'An addon with this name exists (or is being created).', hint: 'Pick another name, or attach the existing addon.' },
  E_ADDON_TYPE_MISMATCH: {
    meaning: 'An addon with this name exists with another type.',
    hint: 'Give the [[addons]] entry another `name`, or destroy the other addon.',
  },
  E_ADDON_ATTACHED: {
    meaning: 'The addon is attached to apps; destroying it would break them.',
    hint: 'Detach it from every app first (`hop3 addon detach <name> --app A`), or pass --force.',
  },
  E_ADDON_NOT_ATTACHED: { meaning: 'The addon is not attached to this app.', hint: 'See `hop3 addon show <name>` for its apps.' },
  E_ADDON_CONFIRM_REQUIRED: {
    meaning: 'Destroying an addon needs confirm set to its exact name.',
    hint: 'Repeat with `--confirm=<name>`.',
  },
  E_ADDON_EXTENSION_DENIED: {
    meaning: 'A requested PostgreSQL extension is in the hard-deny set or not in the allow-list.',
    hint: 'Use an allowed extension; the operator may extend the list with HOP3_EXTRA_PG_EXTENSIONS (never the deny set).',
  },
  E_ADDON_EXTENSIONS_UNSUPPORTED: { meaning: 'Extensions were asked for a type other than postgres.', hint: 'Remove the extensions.' },
  E_ADDON_EXHAUSTED: { meaning: 'The addon server has no free slot left (e.g. every Redis logical DB is taken).', hint: 'Destroy an unused addon, or ask the operator to raise the limit.' },
  E_ADDON_PROVISION_FAILED: { meaning: 'The backend could not create the addon; nothing was left behind.', hint: 'Check the message; retry once the addon server is healthy.' },
  E_ADDON_BACKEND_UNREACHABLE: { meaning: 'The addon server cannot be reached.', hint: 'Check that the addon server runs and the operator config points at it.' },
  E_ADDON_RESOURCE_EXISTS: {
    meaning: 'The database, role or user this addon would create already exists on the addon server (left over, or made outside hop3).',
    hint: 'Ask the operator to inspect and drop the leftover object, or pick another addon name.',
  },
  E_ADDON_DEPROVISION_FAILED: {
    meaning: 'The backend could not remove the addon\'s resources; the addon is kept so the destroy can be retried.',
    hint: 'Check the message and the addon server; retry the destroy once it is healthy.',
  },
  E_ADDON_BUSY: { meaning: 'Another destroy of this addon is in progress.', hint: 'Wait for it to finish, then check `hop3 addon list`.' },
});
export type AddonErrorCode = keyof typeof ADDON_ERRORS;

export const AddonNameField = Type.String({ minLength: 1, maxLength: 63, pattern: ADDON_NAME_RE, description: 'addon name', [ERROR_CODE_KEY]: 'E_INVALID_ADDON_NAME' });
/** Loose on purpose: the service answers an unknown type with E_ADDON_TYPE_UNKNOWN and the list. */
export const AddonTypeField = Type.String({ minLength: 1, maxLength: 32, description: 'postgres, mysql, redis or s3' });
const AddonParams = Type.Object({ name: AddonNameField }, { additionalProperties: false });
const AppAddonParams = Type.Object({ app: AppName, name: AddonNameField }, { additionalProperties: false });

export const AddonAttachment = Type.Object(
  { app: Type.String(), primary: Type.Boolean(), prefix: Type.String({ description: 'e.g. MY_CACHE_' }), created_at: Timestamp },
  { additionalProperties: false },
);
export const AddonSummary = Type.Object(
  { name: Type.String(), type: Type.String(), created_at: Timestamp, apps: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type AddonSummary = Static<typeof AddonSummary>;
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
export const AddonDetail = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    created_at: Timestamp,
    resource: Type.Record(Type.String(), Scalar),
    /** The variables injected into attached apps; secret parts shown as **** unless show_secrets. */
    env: Type.Record(Type.String(), Type.String()),
    secrets_shown: Type.Boolean(),
    attachments: Type.Array(AddonAttachment),
  },
  { additionalProperties: false },
);
export type AddonDetail = Static<typeof AddonDetail>;
export const AddonStatusBody = Type.Object(
  { name: Type.String(), type: Type.String(), ok: Type.Boolean(), detail: Type.String(), apps: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type AddonStatusBody = Static<typeof AddonStatusBody>;
export const AddonTypeInfo = Type.Object(
  { type: Type.String(), available: Type.Boolean(), env: Type.Array(Type.String()), instances: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export const AddonTypes = Type.Object({ types: Type.Array(AddonTypeInfo) }, { additionalProperties: false });
export type AddonTypes = Static<typeof AddonTypes>;
export const AddonList = Type.Object({ addons: Type.Array(AddonSummary) }, { additionalProperties: false });
export type AddonList = Static<typeof AddonList>;
export const AppAddonList = Type.Object({ app: Type.String(), attachments: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), primary: Type.Boolean(), prefix: Type.String() }, { additionalProperties: false })) }, { additionalProperties: false });
export type AppAddonList = Static<typeof AppAddonList>;
export const AddonCreateBody = Type.Object(
  { type: AddonTypeField, name: AddonNameField, extensions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63 }), { maxItems: 32 })) },
  { additionalProperties: false },
);
export type AddonCreateBody = Static<typeof AddonCreateBody>;
export const AddonDestroyed = Type.Object({ name: Type.String(), type: Type.String(), detached: Type.Array(Type.String()) }, { additionalProperties: false });

const ShowQuery = Type.Object({ show_secrets: Type.Optional(QueryFlag) }, { additionalProperties: false });
const DestroyQuery = Type.Object({ confirm: Type.Optional(Type.String({ maxLength: 1000 })), force: Type.Optional(QueryFlag) }, { additionalProperties: false });
const NAME_ERRORS = ['E_INVALID_ADDON_NAME', 'E_ADDON_NOT_FOUND'] as const;
const ATTACH_ERRORS = [...NAME_ERRORS, 'E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_ADDON_TYPE_UNAVAILABLE'] as const;

export const ADDON_ROUTES = [
  defineRoute({ name: 'addons.types', method: 'GET', path: '/v1/addons/types', summary: 'Addon types, whether this server offers them, and their env vars.', auth: true, params: NoParams, query: NoQuery, body: undefined, response: AddonTypes, status: 200, errors: [] }),
  defineRoute({ name: 'addons.list', method: 'GET', path: '/v1/addons', summary: 'Every addon with its type and apps.', auth: true, params: NoParams, query: NoQuery, body: undefined, response: AddonList, status: 200, errors: [] }),
  defineRoute({
    name: 'addons.create', method: 'POST', path: '/v1/addons', summary: 'Provision an addon on the operator-configured server.', auth: true, params: NoParams, query: NoQuery,
    body: AddonCreateBody, response: AddonDetail, status: 201,
    errors: ['E_INVALID_ADDON_NAME', 'E_ADDON_TYPE_UNKNOWN', 'E_ADDON_TYPE_UNAVAILABLE', 'E_ADDON_EXISTS', 'E_ADDON_EXTENSION_DENIED', 'E_ADDON_EXTENSIONS_UNSUPPORTED', 'E_ADDON_EXHAUSTED', 'E_ADDON_PROVISION_FAILED', 'E_ADDON_BACKEND_UNREACHABLE'],
  }),
  defineRoute({ name: 'addons.show', method: 'GET', path: '/v1/addons/:name', summary: 'One addon: resource, env (masked unless show_secrets), attachments.', auth: true, params: AddonParams, query: ShowQuery, body: undefined, response: AddonDetail, status: 200, errors: [...NAME_ERRORS, 'E_ADDON_TYPE_UNAVAILABLE', 'E_SECRET_UNREADABLE'] }),
  defineRoute({ name: 'addons.status', method: 'GET', path: '/v1/addons/:name/status', summary: "Connect with the addon's own credentials and report.", auth: true, params: AddonParams, query: NoQuery, body: undefined, response: AddonStatusBody, status: 200, errors: [...NAME_ERRORS, 'E_ADDON_TYPE_UNAVAILABLE'] }),
  defineRoute({
    name: 'addons.destroy', method: 'DELETE', path: '/v1/addons/:name', summary: 'Remove the addon and its data (confirm = name; refused while attached unless force).', auth: true, params: AddonParams, query: DestroyQuery, body: undefined, response: AddonDestroyed, status: 200,
    errors: [...NAME_ERRORS, 'E_ADDON_CONFIRM_REQUIRED', 'E_ADDON_ATTACHED', 'E_ADDON_TYPE_UNAVAILABLE', 'E_ADDON_BACKEND_UNREACHABLE'],
  }),
  defineRoute({ name: 'addons.app_list', method: 'GET', path: '/v1/apps/:app/addons', summary: 'The addons attached to an app.', auth: true, params: AppParams, query: NoQuery, body: undefined, response: AppAddonList, status: 200, errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'] }),
  defineRoute({ name: 'addons.attach', method: 'PUT', path: '/v1/apps/:app/addons/:name', summary: 'Attach (env injected on the next deploy or restart); no change when attached.', auth: true, params: AppAddonParams, query: NoQuery, body: undefined, response: AppAddonList, status: 200, errors: ATTACH_ERRORS }),
  defineRoute({ name: 'addons.detach', method: 'DELETE', path: '/v1/apps/:app/addons/:name', summary: 'Detach (env vars gone on the next deploy or restart; data kept).', auth: true, params: AppAddonParams, query: NoQuery, body: undefined, response: AppAddonList, status: 200, errors: [...ATTACH_ERRORS, 'E_ADDON_NOT_ATTACHED'] }),
  defineRoute({ name: 'addons.promote', method: 'POST', path: '/v1/apps/:app/addons/:name/primary', summary: 'Make this addon the primary of its type on the app (gets the unprefixed names).', auth: true, params: AppAddonParams, query: NoQuery, body: undefined, response: AppAddonList, status: 200, errors: [...ATTACH_ERRORS, 'E_ADDON_NOT_ATTACHED'] }),
] as const;
