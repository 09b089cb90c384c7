/** /v1/apps/:app/domains: list, add, remove, set (replace all), clear. */
import { Type, type Static } from '@sinclair/typebox';
import { AppName, AppParams, HostnameField } from './common.ts';
import { defineRoute, NoQuery } from './define.ts';

export const DomainList = Type.Object(
  {
    app: Type.String(),
    /** Host names added to the app, sorted. */
    domains: Type.Array(Type.String()),
    /** <app>.<server domain>. */
    default_hostname: Type.String(),
    /** What nginx routes: domains, or [default_hostname] when there are none. */
    hostnames: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type DomainList = Static<typeof DomainList>;

const AppHostParams = Type.Object({ app: AppName, hostname: HostnameField }, { additionalProperties: false });
const DOMAIN_ERRORS = ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_INVALID_HOSTNAME', 'E_DOMAIN_TAKEN'] as const;

export const DOMAIN_ROUTES = [
  defineRoute({
    name: 'domains.list',
    method: 'GET',
    path: '/v1/apps/:app/domains',
    summary: 'The app domains and the host names nginx routes to it.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: DomainList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'domains.add',
    method: 'POST',
    path: '/v1/apps/:app/domains',
    summary: 'Add one host name (no change when the app already has it).',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: Type.Object({ hostname: HostnameField }, { additionalProperties: false }),
    response: DomainList,
    status: 200,
    errors: DOMAIN_ERRORS,
  }),
  defineRoute({
    name: 'domains.set',
    method: 'PUT',
    path: '/v1/apps/:app/domains',
    summary: 'Replace all the app domains with this list (an empty list clears them).',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: Type.Object({ hostnames: Type.Array(HostnameField, { maxItems: 100 }) }, { additionalProperties: false }),
    response: DomainList,
    status: 200,
    errors: DOMAIN_ERRORS,
  }),
  defineRoute({
    name: 'domains.remove',
    method: 'DELETE',
    path: '/v1/apps/:app/domains/:hostname',
    summary: 'Remove one host name.',
    auth: true,
    params: AppHostParams,
    query: NoQuery,
    body: undefined,
    response: DomainList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_INVALID_HOSTNAME', 'E_DOMAIN_NOT_FOUND'],
  }),
  defineRoute({
    name: 'domains.clear',
    method: 'DELETE',
    path: '/v1/apps/:app/domains',
    summary: 'Remove every domain; the app falls back to <app>.<server domain>.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: DomainList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
] as const;
