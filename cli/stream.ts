/**
 * Server-sent event streams of the API (deploy events, run output, followed
 * logs): the route's method, path and body come from the route table; the
 * response is parsed with shared-protocol/api/sse.ts and each event's JSON
 * data is checked against the schema for its event name.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { routeByName, type RouteName } from '../shared-protocol/api/index.ts';
import { SseParser } from '../shared-protocol/api/sse.ts';
import { badResponse, checkInput, connectionError, errorFromResponse, schemaProblem, type ApiClient, type CallInput } from './client.ts';

export type EventSchemas = Readonly<Record<string, TSchema>>;

/** One event, typed by its name. */
export type TypedEvent<E extends EventSchemas> = { [K in keyof E & string]: { readonly event: K; readonly data: Static<E[K]>; readonly id: string | undefined } }[keyof E & string];

export interface StreamOptions {
  /** Resume after this event id (sent as Last-Event-ID). */
  readonly lastEventId?: string | undefined;
  readonly signal?: AbortSignal;
}

export interface StreamEnd {
  /** Id of the last event received (to resume from). */
  readonly lastEventId: string | undefined;
  /** The handler asked to stop (true), or the server closed the stream (false). */
  readonly stopped: boolean;
}

/**
 * Open a route's event stream and hand each known event to `onEvent` (events
 * with other names are skipped: a newer server may add some). `onEvent`
 * returns 'stop' to close the stream.
 */
export async function streamEvents<N extends RouteName, E extends EventSchemas>(
  client: ApiClient,
  name: N,
  input: CallInput<N>,
  schemas: E,
  onEvent: (ev: TypedEvent<E>) => 'stop' | void,
  options: StreamOptions = {},
): Promise<StreamEnd> {
  const route = routeByName(name);
  const url = client.url(name, input);
  const body = (input as { body?: unknown }).body;
  if (route.body !== undefined) checkInput(route.body, body, 'body');
  const headers = client.headers({
    accept: 'text/event-stream',
    ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
  });
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  let res: Response;
  try {
    res = await fetch(url, {
      method: route.method,
      headers,
      ...(route.body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: controller.signal,
    });
  } catch (e) {
    options.signal?.removeEventListener('abort', abort);
    if (options.signal?.aborted === true) return { lastEventId: options.lastEventId, stopped: true };
    throw connectionError(client.server, e);
  }
  if (res.status < 200 || res.status > 299) {
    options.signal?.removeEventListener('abort', abort);
    throw await errorFromResponse(res);
  }
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || res.body === null) {
    options.signal?.removeEventListener('abort', abort);
    throw badResponse(`answer to ${route.method} ${route.path}`, `content type ${JSON.stringify(type)}, not text/event-stream`);
  }
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let lastEventId = options.lastEventId;
  const reader = res.body.getReader();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted === true) return { lastEventId, stopped: true };
        throw connectionError(client.server, e);
      }
      const text = chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      for (const ev of parser.push(chunk.done ? `${text}\n\n` : text)) {
        if (ev.id !== undefined) lastEventId = ev.id;
        const schema = schemas[ev.event];
        if (schema === undefined) continue;
        let data: unknown;
        try {
          data = JSON.parse(ev.data);
        } catch {
          throw badResponse(`"${ev.event}" event`, 'data is not JSON');
        }
        const p = schemaProblem(schema, data, ev.event);
        if (p !== null) throw badResponse(`"${ev.event}" event`, p.message);
        if (onEvent({ event: ev.event, data, id: ev.id } as TypedEvent<E>) === 'stop') {
          controller.abort();
          return { lastEventId, stopped: true };
        }
      }
      if (chunk.done) return { lastEventId, stopped: false };
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    try {
      reader.releaseLock();
    } catch {
      /* already released with the aborted body */
    }
  }
}
