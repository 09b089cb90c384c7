/**
 * Streams server-sent events from an async iterable (deploy logs, app logs).
 * A heartbeat comment keeps proxies from closing an idle stream; when the
 * client goes away the stream is cancelled and the source's return() runs,
 * so a log follower stops reading. Errors in the source end the stream with
 * an `error` event carrying {code, message} (never a stack).
 */
import { formatSseEvent, SSE_HEARTBEAT, type SseEvent } from '../../shared-protocol/api/sse.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';

export interface SseOptions {
  /** Heartbeat interval in ms (default 15 s; 0 disables). */
  readonly heartbeatMs?: number;
  /** Extra response headers (e.g. X-Request-Id). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called with an error the source threw, before the error event is sent (for the server log). */
  readonly onError?: (err: unknown) => void;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx: do not buffer the stream.
  'x-accel-buffering': 'no',
};

export function sseResponse(source: AsyncIterable<SseEvent>, opts: SseOptions = {}): Response {
  const encoder = new TextEncoder();
  const iterator = source[Symbol.asyncIterator]();
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  let heartbeat: NodeJS.Timeout | undefined;
  let finished = false;

  const stop = (): void => {
    finished = true;
    if (heartbeat !== undefined) clearInterval(heartbeat);
  };

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (heartbeatMs > 0) {
        heartbeat = setInterval(() => {
          if (!finished) controller.enqueue(encoder.encode(SSE_HEARTBEAT));
        }, heartbeatMs);
        heartbeat.unref();
      }
    },
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (finished) return;
        if (next.done === true) {
          stop();
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(formatSseEvent(next.value)));
      } catch (err) {
        if (finished) return;
        opts.onError?.(err);
        const body = isHop3Error(err) ? { code: err.code, message: err.message } : { code: 'E_INTERNAL', message: 'the event stream failed' };
        controller.enqueue(encoder.encode(formatSseEvent({ event: 'error', data: JSON.stringify(body) })));
        stop();
        controller.close();
      }
    },
    async cancel() {
      stop();
      await iterator.return?.();
    },
  });
  return new Response(stream, { status: 200, headers: { ...SSE_HEADERS, ...opts.headers } });
}
