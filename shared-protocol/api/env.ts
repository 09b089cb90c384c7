/**
 * /v1/apps/:app/env: show (secrets null unless ?show_secrets=true) and one
 * atomic PATCH that sets and unsets vars. Values are encrypted at rest.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AppParams, ERROR_CODE_KEY } from './common.ts';
import { defineRoute, QueryFlag, Timestamp } from './define.ts';
import { ENV_NAME_MAX, ENV_VALUE_MAX, EnvName } from './env-vars.ts';

/** Record keys cannot carry maxLength, so the length cap is in the pattern. */
const ENV_NAME_KEY_PATTERN = `^[A-Za-z_][A-Za-z0-9_]{0,${ENV_NAME_MAX - 1}}$`;

export const EnvValue = Type.String({ maxLength: ENV_VALUE_MAX, pattern: '^[^\\u0000]*$', description: 'No NUL bytes' });

export const EnvVarView = Type.Object(
  {
    name: Type.String(),
    /** null when the var is secret and show_secrets was not asked for. */
    value: Type.Union([Type.String(), Type.Null()]),
    secret: Type.Boolean(),
    updated_at: Timestamp,
  },
  { additionalProperties: false },
);
export type EnvVarView = Static<typeof EnvVarView>;

export const EnvList = Type.Object(
  { app: Type.String(), vars: Type.Array(EnvVarView) },
  { additionalProperties: false },
);
export type EnvList = Static<typeof EnvList>;

/** A value alone, or with an explicit secret flag (default: shared-protocol/api/env-vars.ts looksSecret). */
export const EnvSetting = Type.Union([
  EnvValue,
  Type.Object({ value: EnvValue, secret: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
]);
export type EnvSetting = Static<typeof EnvSetting>;

export const EnvPatchBody = Type.Object(
  {
    set: Type.Optional(
      Type.Record(Type.String({ pattern: ENV_NAME_KEY_PATTERN }), EnvSetting, {
        additionalProperties: false,
        maxProperties: 1000,
        [ERROR_CODE_KEY]: 'E_INVALID_ENV_NAME',
      }),
    ),
    unset: Type.Optional(Type.Array(Type.String({ ...EnvName, [ERROR_CODE_KEY]: 'E_INVALID_ENV_NAME' }), { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type EnvPatchBody = Static<typeof EnvPatchBody>;

export const EnvShowQuery = Type.Object({ show_secrets: Type.Optional(QueryFlag) }, { additionalProperties: false });

export const ENV_ROUTES = [
  defineRoute({
    name: 'env.show',
    method: 'GET',
    path: '/v1/apps/:app/env',
    summary: 'The app env vars by name; secret values are null unless ?show_secrets=true (which is logged).',
    auth: true,
    params: AppParams,
    query: EnvShowQuery,
    body: undefined,
    response: EnvList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_SECRET_UNREADABLE'],
  }),
  defineRoute({
    name: 'env.update',
    method: 'PATCH',
    path: '/v1/apps/:app/env',
    summary: 'Set and unset vars in one transaction; returns the new list with secrets masked. Takes effect at the next deploy or restart.',
    auth: true,
    params: AppParams,
    query: Type.Object({}, { additionalProperties: false }),
    body: EnvPatchBody,
    response: EnvList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_INVALID_ENV_NAME'],
  }),
] as const;
