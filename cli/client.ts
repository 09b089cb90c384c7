/**
 * The typed API client: every call names a route of the shared route table
 * (shared-protocol/api), so the method, the path, and the schemas come from
 * the same declaration the server mounts. Inputs are checked before sending
 * (a bad value is a usage error, exit 2), responses are checked after (a
 * mismatch means the server speaks another version), and error bodies become
 * a CliError carrying the server's {code, message, hint}.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ERROR_CODE_KEY } from '../shared-protocol/api/common.ts';
import { ErrorBody, type BodyOf, type ParamsOf, type QueryOf, type ResponseOf } from '../shared-protocol/api/define.ts';
import { routeByName, routePath, type RouteName, type RouteOf } from '../shared-protocol/api/index.ts';
import { apiError, CliError } from './errors.ts';
import { EXIT } from './exit-codes.ts';

type Empty<T> = keyof T extends never ? true : false;

/** Path params, query and JSON body of a route; each key required only when the route has it. */
export type CallInput<N extends RouteName> = (Empty<ParamsOf<RouteOf<N>>> extends true ? { params?: ParamsOf<RouteOf<N>> } : { params: ParamsOf<RouteOf<N>> }) &
  { query?: QueryOf<RouteOf<N>> } &
  (BodyOf<RouteOf<N>> extends undefined ? { body?: undefined } : { body: BodyOf<RouteOf<N>> });

export interface ClientOptions {
  /** http(s)://host[:port][/prefix], no trailing slash. */
  readonly server: string;
  readonly token: string | undefined;
  /** Per-request timeout for JSON calls, ms (streams have none). */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

/** The first schema error as a sentence naming the field. */
export function schemaProblem(schema: TSchema, value: unknown, where: string): { message: string; code: string | undefined } | null {
  const first = Value.Errors(schema, value).First();
  if (first === undefined) return null;
  const at = first.path === '' ? where : `${where}${first.path.replaceAll('/', '.')}`;
  const shown = typeof first.value === 'string' ? ` (got ${JSON.stringify(first.value.length > 80 ? `${first.value.slice(0, 80)}…` : first.value)})` : '';
  const own = (first.schema as Record<string, unknown>)[ERROR_CODE_KEY];
  return { message: `${at}: ${first.message}${shown}`, code: typeof own === 'string' ? own : undefined };
}

/** Check a value against a route schema before it leaves this machine. */
export function checkInput(schema: TSchema, value: unknown, where: string): void {
  const p = schemaProblem(schema, value, where);
  if (p !== null) throw new CliError(p.code ?? 'E_USAGE', `invalid ${p.message}`, { exit: EXIT.USAGE });
}

export function connectionError(server: string, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
  return new CliError('E_SERVER_UNREACHABLE', `cannot reach ${server}: ${why}`, {
    hint: 'Check the URL (hop3 login --server, or HOP3_API_URL) and that hop3-server is running.',
    cause: e,
  });
}

/** A non-2xx response as a CliError with the server's code, message and hint. */
export async function errorFromResponse(res: Response): Promise<CliError> {
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Value.Check(ErrorBody, parsed)) {
    const e = parsed.error;
    return apiError(res.status, e.code, e.message, e.hint, e.request_id);
  }
  const snippet = text.trim().slice(0, 200);
  return apiError(res.status, `E_HTTP_${res.status}`, `HTTP ${res.status} ${res.statusText}${snippet === '' ? '' : `: ${snippet}`}`);
}

export function badResponse(what: string, detail: string): CliError {
  return new CliError('E_BAD_RESPONSE', `the server's ${what} is not what this CLI expects: ${detail}`, {
    hint: 'The CLI and the server are probably different versions; install the same Hop3 version for both.',
  });
}

export class ApiClient {
  readonly server: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #userAgent: string;

  constructor(options: ClientOptions) {
    this.server = options.server;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 300_000;
    this.#userAgent = options.userAgent ?? 'hop3-cli';
  }

  /** Headers every request carries (auth, user agent) plus extras. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'user-agent': this.#userAgent, ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }), ...extra };
  }

  /** Full URL of a route with its params and query, after checking both against the route's schemas. */
  url<N extends RouteName>(name: N, input: { params?: object; query?: object }): string {
    const route = routeByName(name);
    const params = input.params ?? {};
    checkInput(route.params, params, 'argument');
    const query = input.query ?? {};
    checkInput(route.query, query, 'option');
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.server}${routePath(route.path, params as Record<string, string>)}${q === '' ? '' : `?${q}`}`;
  }

  /** One JSON request/response call. */
  async call<N extends RouteName>(name: N, input: CallInput<N>): Promise<ResponseOf<RouteOf<N>>> {
    const route = routeByName(name);
    const url = this.url(name, input);
    const body = (input as { body?: unknown }).body;
    if (route.body !== undefined) checkInput(route.body, body, 'body');
    let res: Response;
    try {
      res = await fetch(url, {
        method: route.method,
        headers: this.headers(route.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }),
        ...(route.body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (e) {
      throw connectionError(this.server, e);
    }
    if (res.status < 200 || res.status > 299) throw await errorFromResponse(res);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badResponse(`answer to ${route.method} ${route.path}`, 'not JSON');
    }
    const p = schemaProblem(route.response, json, 'response');
    if (p !== null) throw badResponse(`answer to ${route.method} ${route.path}`, p.message);
    return json as ResponseOf<RouteOf<N>>;
  }
}
