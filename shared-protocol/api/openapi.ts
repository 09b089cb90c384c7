/**
 * The OpenAPI 3.1 document, generated from the route table. Pure: the server
 * serves it at GET /v1/openapi.json; docs can render it.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { API_ERRORS } from './errors.ts';
import { ErrorBody, type RouteDef } from './define.ts';
import { API_ROUTES } from './index.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** TypeBox schemas are JSON Schema; dropping the symbol keys leaves plain JSON. */
function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}

/** `/v1/apps/:app` → `/v1/apps/{app}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([a-z_]+)/g, '{$1}');
}

function parameters(route: RouteDef): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', obj: TObject): void => {
    const required = new Set(obj.required ?? []);
    for (const [name, schema] of Object.entries(obj.properties)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: plain(schema) });
    }
  };
  add('path', route.params);
  add('query', route.query);
  return out;
}

function errorResponses(route: RouteDef): Record<string, Json> {
  const codes = [...new Set([...route.errors, ...(route.auth ? ['E_AUTH_REQUIRED', 'E_AUTH_INVALID', 'E_RATE_LIMITED'] : []), 'E_INTERNAL'])];
  const description = codes
    .map((c) => `${c}: ${(API_ERRORS as Record<string, { meaning: string } | undefined>)[c]?.meaning ?? 'see the rootd error table'}`)
    .join('\n');
  return { default: { description, content: { 'application/json': { schema: plain(ErrorBody) } } } };
}

function operation(route: RouteDef): Json {
  const contentType = route.stream === 'sse' ? 'text/event-stream' : 'application/json';
  const op: { [k: string]: Json } = {
    operationId: route.name,
    summary: route.summary,
    parameters: parameters(route),
    responses: {
      [String(route.status)]: { description: 'Success', content: { [contentType]: { schema: plain(route.response) } } },
      ...errorResponses(route),
    },
  };
  if (route.body !== undefined) {
    op['requestBody'] = { required: true, content: { 'application/json': { schema: plain(route.body) } } };
  }
  if (route.rawBody !== undefined) {
    op['requestBody'] = { required: true, content: { [route.rawBody]: { schema: { type: 'string', format: 'binary' } } } };
  }
  op['security'] = route.auth ? [{ bearer: [] }] : [];
  return op;
}

export function buildOpenApi(version: string, routes: readonly RouteDef[] = API_ROUTES as unknown as readonly RouteDef[]): { [k: string]: Json } {
  const paths: { [path: string]: { [method: string]: Json } } = {};
  for (const route of routes) {
    const p = openApiPath(route.path);
    const entry = (paths[p] ??= {});
    entry[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hop3 server API', version },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from `hop3-server admin create-token` (hop3_...)' } },
    },
    paths,
  };
}
