/**
 * Streaming upload of a raw request body (the deploy's tar.gz) with progress:
 * node:http(s) so that the bytes handed to the socket are counted, and so
 * that an early refusal (413 while we are still sending) is read and
 * reported instead of a broken pipe.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { routeByName, type RouteName, type RouteOf } from '../shared-protocol/api/index.ts';
import type { ResponseOf } from '../shared-protocol/api/define.ts';
import { isHop3Error } from '../shared-protocol/errors.ts';
import { badResponse, connectionError, errorFromResponse, schemaProblem, type ApiClient, type CallInput } from './client.ts';
import { CliError } from './errors.ts';

export interface UploadOptions {
  /** Called as bytes are written to the connection (total so far). */
  readonly onProgress?: (sentBytes: number) => void;
  /** How long to wait for the server's answer after a write error, ms. */
  readonly answerGraceMs?: number;
}

function toFetchResponse(res: IncomingMessage, body: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Response(body, { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c.length + text.length > 1_000_000 ? '' : c));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

/** An error of the body stream (the bundle: a Hop3Error from the walk or the reader) as a CliError. */
function bodyError(e: unknown): CliError {
  if (isHop3Error(e)) return new CliError(e.code, e.message, { hint: e.hint });
  return new CliError('E_BUNDLE_READ', `the upload could not be read: ${(e as Error).message}`, { cause: e });
}

/** POST a raw body to a route declared with rawBody; resolves with the checked response. */
export function uploadRaw<N extends RouteName>(
  client: ApiClient,
  name: N,
  input: CallInput<N>,
  body: Readable,
  options: UploadOptions = {},
): Promise<ResponseOf<RouteOf<N>>> {
  const route = routeByName(name);
  const contentType = 'rawBody' in route ? route.rawBody : undefined;
  if (contentType === undefined) throw new Error(`route ${name} does not take a raw body`);
  const url = new URL(client.url(name, input));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let settled = false;
    let sent = 0;
    let req: ClientRequest;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    const onResponse = (res: IncomingMessage): void => {
      body.unpipe(req);
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) body.destroy();
      readAll(res).then(
        async (text) => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            const err = await errorFromResponse(toFetchResponse(res, text));
            finish(() => reject(err));
            return;
          }
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            finish(() => reject(badResponse(`answer to ${route.method} ${route.path}`, 'not JSON')));
            return;
          }
          const p = schemaProblem(route.response, json, 'response');
          if (p !== null) finish(() => reject(badResponse(`answer to ${route.method} ${route.path}`, p.message)));
          else finish(() => resolve(json as ResponseOf<RouteOf<N>>));
        },
        (e: unknown) => finish(() => reject(connectionError(client.server, e))),
      );
    };
    req = send(url, {
      method: route.method,
      headers: client.headers({ 'content-type': contentType, accept: 'application/json', 'transfer-encoding': 'chunked' }),
    });
    req.on('response', onResponse);
    req.on('error', (e) => {
      // The server may have answered (e.g. 413) and closed while we were still sending: wait for that answer.
      setTimeout(() => finish(() => reject(connectionError(client.server, e))), options.answerGraceMs ?? 2000).unref();
    });
    body.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      options.onProgress?.(sent);
    });
    body.on('error', (e) => {
      finish(() => reject(bodyError(e)));
      req.destroy();
    });
    body.pipe(req);
  });
}
