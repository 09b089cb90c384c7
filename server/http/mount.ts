/**
 * Mounts one declared route (shared-protocol/api) on the Hono app: auth when
 * the route says so, path/query/body checked against the route's schemas,
 * the handler called with typed input, and its answer checked against the
 * response schema (a mismatch is a server bug: logged, E_INTERNAL).
 */
import type { Context, Hono } from 'hono';
import type { TObject, TSchema } from '@sinclair/typebox';
import type { BodyOf, ParamsOf, QueryOf, ResponseOf, RouteDef } from '../../shared-protocol/api/define.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { TokenInfo } from '../auth/tokens.ts';
import { authenticate, type AuthDeps } from '../auth/middleware.ts';
import type { Logger } from '../log.ts';
import { readJsonBody } from './body.ts';
import type { AppEnv } from './context.ts';
import { compile } from './validate.ts';

export interface RouteInput<R> {
  readonly params: ParamsOf<R>;
  readonly query: QueryOf<R>;
  readonly body: BodyOf<R>;
  /** The authenticated token (undefined only on routes with auth: false). */
  readonly token: TokenInfo | undefined;
  readonly requestId: string;
  /** For streaming routes (SSE) that build their own Response. */
  readonly c: Context<AppEnv>;
}

export type RouteHandler<R> = (input: RouteInput<R>) => Promise<ResponseOf<R> | Response> | ResponseOf<R> | Response;

export interface MountDeps {
  readonly auth: AuthDeps;
  readonly maxBodyBytes: number;
  readonly log: Logger;
}

/** Query strings as the schemas see them: each key once, as a string. */
function queryObject(c: Context<AppEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, values] of Object.entries(c.req.queries())) {
    if (values.length !== 1) throw new Hop3Error('E_INVALID_QUERY', `query parameter ${k} is given ${values.length} times`);
    out[k] = values[0] as string;
  }
  return out;
}

export function mountRoute<R extends RouteDef<string, TObject, TObject, TSchema | undefined, TSchema>>(
  app: Hono<AppEnv>,
  route: R,
  deps: MountDeps,
  handler: RouteHandler<R>,
): void {
  const params = compile<ParamsOf<R>>(route.params);
  const query = compile<QueryOf<R>>(route.query);
  const body = route.body === undefined ? undefined : compile<BodyOf<R>>(route.body);
  const response = compile<ResponseOf<R>>(route.response);

  app.on(route.method, route.path, async (c) => {
    const token = route.auth ? authenticate(c, deps.auth) : undefined;
    if (token !== undefined) c.set('token', token);
    const input: RouteInput<R> = {
      params: params.check(c.req.param(), 'path'),
      query: query.check(queryObject(c), 'query'),
      body: (body === undefined ? undefined : body.check(await readJsonBody(c.req.raw, deps.maxBodyBytes), 'body')) as BodyOf<R>,
      token,
      requestId: c.get('requestId'),
      c,
    };
    const result = await handler(input);
    if (result instanceof Response) return result;
    try {
      response.check(result, 'body');
    } catch (e) {
      deps.log.error('response does not match its schema', { route: route.name, request_id: input.requestId, err: e });
      throw new Error(`route ${route.name} answered outside its response schema`);
    }
    return c.json(result as object, route.status);
  });
}
