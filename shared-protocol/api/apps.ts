/** /v1/apps: create, list, get, delete (delete needs ?confirm=<app>). */
import { Type, type Static } from '@sinclair/typebox';
import { AppName, AppParams } from './common.ts';
import { defineRoute, NoParams, NoQuery, Timestamp } from './define.ts';

/** Lifecycle state; the deploy pipeline moves apps between these. */
export const AppState = Type.Union([
  Type.Literal('created'),
  Type.Literal('running'),
  Type.Literal('stopped'),
  Type.Literal('failed'),
]);
export type AppState = Static<typeof AppState>;

export const AppSummary = Type.Object(
  {
    name: Type.String(),
    state: AppState,
    created_at: Timestamp,
    updated_at: Timestamp,
    /** Number of the release serving traffic, null before the first successful deploy. */
    current_release: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    /** Host names nginx routes to the app: its domains, or <app>.<server domain> when it has none. */
    hostnames: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type AppSummary = Static<typeof AppSummary>;

export const AppDetail = Type.Composite(
  [
    AppSummary,
    Type.Object({
      domains: Type.Array(Type.String()),
      default_hostname: Type.String(),
      env_count: Type.Integer({ minimum: 0 }),
    }),
  ],
  { additionalProperties: false },
);
export type AppDetail = Static<typeof AppDetail>;

export const CreateAppBody = Type.Object({ name: AppName }, { additionalProperties: false });
export const DeleteAppQuery = Type.Object(
  { confirm: Type.Optional(Type.String({ maxLength: 63, description: 'Must equal the app name' })) },
  { additionalProperties: false },
);

export const APP_ROUTES = [
  defineRoute({
    name: 'apps.list',
    method: 'GET',
    path: '/v1/apps',
    summary: 'List apps, by name.',
    auth: true,
    params: NoParams,
    query: NoQuery,
    body: undefined,
    response: Type.Object({ apps: Type.Array(AppSummary) }, { additionalProperties: false }),
    status: 200,
    errors: [],
  }),
  defineRoute({
    name: 'apps.create',
    method: 'POST',
    path: '/v1/apps',
    summary: 'Create an empty app, to set its env and domains before the first deploy.',
    auth: true,
    params: NoParams,
    query: NoQuery,
    body: CreateAppBody,
    response: AppDetail,
    status: 201,
    errors: ['E_INVALID_APP_NAME', 'E_APP_EXISTS', 'E_DOMAIN_TAKEN'],
  }),
  defineRoute({
    name: 'apps.get',
    method: 'GET',
    path: '/v1/apps/:app',
    summary: 'One app: state, current release, hostnames, number of env vars.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: AppDetail,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'apps.delete',
    method: 'DELETE',
    path: '/v1/apps/:app',
    summary: 'Destroy an app and everything it owns; ?confirm=<app> must repeat its name.',
    auth: true,
    params: AppParams,
    query: DeleteAppQuery,
    body: undefined,
    response: Type.Object({ deleted: Type.String() }, { additionalProperties: false }),
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_CONFIRM_REQUIRED'],
  }),
] as const;
