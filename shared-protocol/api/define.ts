/**
 * How an HTTP route is declared: method, path, schemas for path params, query,
 * body and response, the error codes it may return. The server mounts routes
 * from these declarations, the CLI types its calls with them, and the OpenAPI
 * document is generated from them: one schema, many uses.
 */
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef<
  N extends string = string,
  P extends TObject = TObject,
  Q extends TObject = TObject,
  B extends TSchema | undefined = TSchema | undefined,
  R extends TSchema = TSchema,
> {
  /** Stable name, `noun.verb` (used by the CLI client and in logs). */
  readonly name: N;
  readonly method: HttpMethod;
  /** Hono-style path: `/v1/apps/:app`. */
  readonly path: string;
  readonly summary: string;
  /** false only for GET /v1/health. */
  readonly auth: boolean;
  readonly params: P;
  readonly query: Q;
  /** Absent for routes without a JSON body. */
  readonly body: B;
  readonly response: R;
  /** Success status (202: accepted, the work continues in the background). */
  readonly status: 200 | 201 | 202;
  /** 'sse' when the response is a text/event-stream whose events carry `response`. */
  readonly stream?: 'sse';
  /**
   * A raw (non-JSON) request body of this media type, streamed to the handler
   * unread (e.g. the deploy upload, application/gzip); `body` is then undefined.
   */
  readonly rawBody?: 'application/gzip';
  /** Route-specific error codes (auth, validation and internal codes are implied). */
  readonly errors: readonly `E_${string}`[];
}

export function defineRoute<
  const N extends string,
  P extends TObject,
  Q extends TObject,
  B extends TSchema | undefined,
  R extends TSchema,
>(def: RouteDef<N, P, Q, B, R>): RouteDef<N, P, Q, B, R> {
  return def;
}

export type ParamsOf<D> = D extends RouteDef<string, infer P, TObject, TSchema | undefined, TSchema> ? Static<P> : never;
export type QueryOf<D> = D extends RouteDef<string, TObject, infer Q, TSchema | undefined, TSchema> ? Static<Q> : never;
export type BodyOf<D> = D extends RouteDef<string, TObject, TObject, infer B, TSchema>
  ? B extends TSchema
    ? Static<B>
    : undefined
  : never;
export type ResponseOf<D> = D extends RouteDef<string, TObject, TObject, TSchema | undefined, infer R> ? Static<R> : never;

/** Schema pieces used by every noun. */
export const NoParams = Type.Object({}, { additionalProperties: false });
export const NoQuery = Type.Object({}, { additionalProperties: false });
/** Timestamps are ISO 8601 strings in UTC. */
export const Timestamp = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'ISO 8601, UTC' });

/** Every error response: `{error:{code,message,hint}}`; request_id only on E_INTERNAL. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ pattern: '^E_[A-Z0-9_]+$' }),
        message: Type.String(),
        hint: Type.Optional(Type.String()),
        request_id: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** `true`/`false` (also 1/0) as a query string flag. */
export const QueryFlag = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);
export function flagValue(v: Static<typeof QueryFlag> | undefined): boolean {
  return v === 'true' || v === '1';
}
