/** GET /v1/health (the one route without a token), GET /v1/whoami, GET /v1/openapi.json. */
import { Type } from '@sinclair/typebox';
import { defineRoute, NoParams, NoQuery } from './define.ts';

export const Health = Type.Object(
  { status: Type.Literal('ok'), version: Type.String() },
  { additionalProperties: false },
);

export const Whoami = Type.Object(
  { token: Type.Object({ id: Type.Integer(), name: Type.String(), prefix: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
);

export const META_ROUTES = [
  defineRoute({
    name: 'health.get',
    method: 'GET',
    path: '/v1/health',
    summary: 'Liveness: the server runs and its database answers. No token needed.',
    auth: false,
    params: NoParams,
    query: NoQuery,
    body: undefined,
    response: Health,
    status: 200,
    errors: [],
  }),
  defineRoute({
    name: 'auth.whoami',
    method: 'GET',
    path: '/v1/whoami',
    summary: 'The token this request authenticated with (name and display prefix, never the token).',
    auth: true,
    params: NoParams,
    query: NoQuery,
    body: undefined,
    response: Whoami,
    status: 200,
    errors: [],
  }),
  defineRoute({
    name: 'openapi.get',
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document, generated from the shared schemas.',
    auth: true,
    params: NoParams,
    query: NoQuery,
    body: undefined,
    response: Type.Object({ openapi: Type.String() }, { additionalProperties: true }),
    status: 200,
    errors: [],
  }),
] as const;
