import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from '@sinclair/typebox';
import { defineRoute, NoParams, NoQuery } from '../../shared-protocol/api/define.ts';
import { formatSseEvent, SseParser, type SseEvent } from '../../shared-protocol/api/sse.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { mountRoute } from '../../server/http/mount.ts';
import { sseResponse } from '../../server/http/sse.ts';
import { makeHarness, serveHttp } from './helpers.ts';

const FORMATS: Array<[string, SseEvent, string]> = [
  ['a plain message', { data: 'hello' }, 'data: hello\n\n'],
  ['a named event with an id', { event: 'log', id: '7', data: 'line' }, 'event: log\nid: 7\ndata: line\n\n'],
  ['multi-line data (each line its own data: field)', { data: 'a\nb\r\nc' }, 'data: a\ndata: b\ndata: c\n\n'],
  ['empty data', { data: '' }, 'data: \n\n'],
  ['a retry hint', { retry: 3000, data: 'x' }, 'retry: 3000\ndata: x\n\n'],
];
for (const [what, ev, wire] of FORMATS) {
  test(`an SSE event with ${what} is formatted exactly, and parses back`, () => {
    assert.equal(formatSseEvent(ev), wire);
    const [parsed] = new SseParser().push(wire);
    assert.equal(parsed?.event, ev.event ?? 'message');
    assert.equal(parsed?.data, ev.data.replace(/\r\n|\r/g, '\n'));
  });
}

test('event names and ids with line breaks are refused (no event injection)', () => {
  assert.throws(() => formatSseEvent({ event: 'log\ndata: injected', data: 'x' }));
  assert.throws(() => formatSseEvent({ id: '1\n', data: 'x' }));
});

test('the parser handles events split at any byte, comments, CRLF, and id/retry fields', () => {
  const wire = ': hello\r\nevent: step\r\nid: 1\r\nretry: 50\r\ndata: {"a":1}\r\n\r\ndata: second\n\n';
  for (let cut = 0; cut <= wire.length; cut++) {
    const p = new SseParser();
    const events = [...p.push(wire.slice(0, cut)), ...p.push(wire.slice(cut))];
    assert.deepEqual(
      events.map((e) => [e.event, e.data, e.id, e.retry]),
      [
        ['step', '{"a":1}', '1', 50],
        ['message', 'second', '1', undefined],
      ],
      `cut at ${cut}`,
    );
  }
});

function sseRoute(path: string) {
  return defineRoute({ name: `test.${path}`, method: 'GET', path: `/v1/test/${path}`, summary: 'stream', auth: true, params: NoParams, query: NoQuery, body: undefined, response: Type.String(), status: 200, stream: 'sse', errors: [] });
}

async function readEvents(res: Response, until: (n: number) => boolean): Promise<Array<{ event: string; data: string }>> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const out: Array<{ event: string; data: string }> = [];
  while (!until(out.length)) {
    const { done, value } = await reader.read();
    if (done) break;
    out.push(...parser.push(decoder.decode(value, { stream: true })).map((e) => ({ event: e.event, data: e.data })));
  }
  await reader.cancel();
  return out;
}

test('a log stream is delivered over HTTP as text/event-stream, event by event, and ends when the source ends', async () => {
  async function* logs(): AsyncGenerator<SseEvent> {
    for (let i = 1; i <= 3; i++) {
      yield { event: 'log', id: String(i), data: `line ${i}` };
      await sleep(5);
    }
    yield { event: 'end', data: JSON.stringify({ ok: true }) };
  }
  const h = makeHarness({ extraRoutes: (app, mount) => mountRoute(app, sseRoute('logs'), mount, ({ requestId }) => sseResponse(logs(), { headers: { 'x-request-id': requestId } })) });
  const srv = await serveHttp(h.app);
  try {
    const res = await fetch(`${srv.url}/v1/test/logs`, { headers: { authorization: `Bearer ${h.token}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
    const events = await readEvents(res, () => false);
    assert.deepEqual(events, [
      { event: 'log', data: 'line 1' },
      { event: 'log', data: 'line 2' },
      { event: 'log', data: 'line 3' },
      { event: 'end', data: '{"ok":true}' },
    ]);
  } finally {
    await srv.close();
    h.cleanup();
  }
});

test('when the client disconnects, the source is closed (a log follower stops reading)', async () => {
  let produced = 0;
  let closed = false;
  async function* follow(): AsyncGenerator<SseEvent> {
    try {
      for (;;) {
        produced++;
        yield { event: 'log', data: `line ${produced}` };
        await sleep(10);
      }
    } finally {
      closed = true;
    }
  }
  const h = makeHarness({ extraRoutes: (app, mount) => mountRoute(app, sseRoute('follow'), mount, () => sseResponse(follow())) });
  const srv = await serveHttp(h.app);
  try {
    const controller = new AbortController();
    const res = await fetch(`${srv.url}/v1/test/follow`, { headers: { authorization: `Bearer ${h.token}` }, signal: controller.signal });
    const events = await readEvents(res, (n) => n >= 2);
    assert.ok(events.length >= 2);
    controller.abort();
    for (let i = 0; i < 100 && !closed; i++) await sleep(10);
    assert.equal(closed, true, 'the generator finally block ran');
    const after = produced;
    await sleep(60);
    assert.equal(produced, after, 'nothing more is produced');
  } finally {
    await srv.close();
    h.cleanup();
  }
});

test('a failing source ends the stream with an error event carrying its code, not a stack', async () => {
  async function* failing(): AsyncGenerator<SseEvent> {
    yield { event: 'log', data: 'building' };
    throw new Hop3Error('E_BUILD_FAILED', 'npm ci exited with 1');
  }
  const h = makeHarness({ extraRoutes: (app, mount) => mountRoute(app, sseRoute('fail'), mount, () => sseResponse(failing(), { heartbeatMs: 0 })) });
  const srv = await serveHttp(h.app);
  try {
    const res = await fetch(`${srv.url}/v1/test/fail`, { headers: { authorization: `Bearer ${h.token}` } });
    const events = await readEvents(res, () => false);
    assert.deepEqual(events, [
      { event: 'log', data: 'building' },
      { event: 'error', data: '{"code":"E_BUILD_FAILED","message":"npm ci exited with 1"}' },
    ]);
  } finally {
    await srv.close();
    h.cleanup();
  }
});

test('an idle stream sends heartbeat comments that the parser ignores', async () => {
  async function* slow(): AsyncGenerator<SseEvent> {
    await sleep(120);
    yield { data: 'done' };
  }
  const res = sseResponse(slow(), { heartbeatMs: 20 });
  const text = await res.text();
  assert.ok((text.match(/: keep-alive\n\n/g) ?? []).length >= 2, text);
  assert.deepEqual(new SseParser().push(text).map((e) => e.data), ['done']);
});
