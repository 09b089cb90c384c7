/**
 * The API client's transport (JSON calls, raw upload with progress, SSE,
 * deploy-follow resumption) against a TEST DOUBLE of the server: a local
 * node:http peer on 127.0.0.1 port 0 that answers with the committed route
 * schemas' shapes. The real server is exercised in server-*.test.ts and
 * deploy-e2e.test.ts; this covers what a healthy server rarely does (early
 * 413 while we send, dropped streams, malformed answers).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { formatSseEvent } from '../../shared-protocol/api/sse.ts';
import { DEPLOY_EVENTS } from '../../shared-protocol/api/deploys.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { ApiClient } from '../../cli/client.ts';
import { followDeploy } from '../../cli/deploy/follow.ts';
import { isCliError } from '../../cli/errors.ts';
import { streamEvents } from '../../cli/stream.ts';
import { uploadRaw } from '../../cli/upload.ts';
import type { Io } from '../../cli/output.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let client: ApiClient;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = new ApiClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'hop3_test' });
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const ACCEPTED = { deploy: { id: 'dep-1', app: 'web', kind: 'deploy', release: 1, status: 'receiving', started_at: '2026-01-02T03:04:05.000Z' } };
const quietIo = (): Io & { text: string } => {
  const io = { text: '', errIsTTY: false, out: (t: string) => void (io.text += t), err: (t: string) => void (io.text += t) };
  return io;
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

test('double: the upload streams the tar.gz chunked with the token, reports bytes sent, and returns the checked answer', async () => {
  let received = 0;
  handler = (req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => sendJson(res, 202, ACCEPTED));
  };
  const chunks = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 7));
  const progress: number[] = [];
  const r = await uploadRaw(client, 'deploys.create', { params: { app: 'web' } }, Readable.from(chunks), { onProgress: (n) => progress.push(n) });
  assert.deepEqual(r, ACCEPTED);
  assert.equal(received, 20 * 64 * 1024);
  assert.equal(progress.at(-1), received);
  assert.ok(progress.every((n, i) => i === 0 || n > (progress[i - 1] ?? 0)));
  const req = seen.at(-1);
  assert.equal(req?.url, '/v1/apps/web/deploys');
  assert.equal(req?.headers['content-type'], 'application/gzip');
  assert.equal(req?.headers['transfer-encoding'], 'chunked');
  assert.equal(req?.headers['authorization'], 'Bearer hop3_test');
});

test('double: a refusal sent while the body is still uploading is reported with the server code and hint, not as a broken pipe', async () => {
  handler = (_req, res) => {
    res.setHeader('connection', 'close');
    sendJson(res, 413, { error: { code: 'E_UPLOAD_TOO_LARGE', message: 'the upload is larger than 1 MiB', hint: 'Ignore build outputs.' } });
  };
  const big = Readable.from((function* () {
    for (let i = 0; i < 2000; i++) yield Buffer.alloc(64 * 1024, 1);
  })());
  await assert.rejects(uploadRaw(client, 'deploys.create', { params: { app: 'web' } }, big), (e: unknown) => {
    assert.ok(isCliError(e), String(e));
    assert.equal(e.code, 'E_UPLOAD_TOO_LARGE');
    assert.equal(e.hint, 'Ignore build outputs.');
    assert.equal(e.status, 413);
    return true;
  });
});

test('double: a bundle that fails while streaming rejects with its own code', async () => {
  handler = (req, res) => {
    req.resume();
    req.on('end', () => sendJson(res, 202, ACCEPTED));
  };
  const failing = new Readable({
    read() {
      this.destroy(new Hop3Error('E_BUNDLE_FILE_CHANGED', 'app.js grew while it was being read', { hint: 'Stop the dev server.' }));
    },
  });
  await assert.rejects(uploadRaw(client, 'deploys.create', { params: { app: 'web' } }, failing), (e: unknown) => isCliError(e) && e.code === 'E_BUNDLE_FILE_CHANGED' && e.hint === 'Stop the dev server.');
});

test('double: SSE events split at any byte are parsed whole, unknown event names are skipped, Last-Event-ID is sent', async () => {
  const wire =
    formatSseEvent({ event: 'step', id: '1', data: JSON.stringify({ step: 'build', phase: 'start', at: '2026-01-02T03:04:05.000Z' }) }) +
    ': keep-alive\n\n' +
    formatSseEvent({ event: 'future', id: '2', data: '{"x":1}' }) +
    formatSseEvent({ event: 'log', id: '3', data: JSON.stringify({ step: 'build', source: 'build', line: 'héllo ✓' }) });
  const bytes = Buffer.from(wire);
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let i = 0;
    const tick = (): void => {
      if (i >= bytes.length) return void res.end();
      res.write(bytes.subarray(i, i + 7));
      i += 7;
      setImmediate(tick);
    };
    tick();
  };
  const got: string[] = [];
  const end = await streamEvents(client, 'deploys.events', { params: { app: 'web', id: 'dep-1' } }, DEPLOY_EVENTS, (ev) => {
    got.push(ev.event === 'log' ? `log:${ev.data.line}` : ev.event === 'step' ? `step:${ev.data.step}` : ev.event);
  }, { lastEventId: '0' });
  assert.deepEqual(got, ['step:build', 'log:héllo ✓']);
  assert.deepEqual(end, { lastEventId: '3', stopped: false });
  assert.equal(seen.at(-1)?.headers['last-event-id'], '0');
});

test('double: an event whose data breaks its schema is a bad-response error (exit 1), not a crash', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(formatSseEvent({ event: 'end', data: JSON.stringify({ status: 'maybe' }) }));
  };
  await assert.rejects(
    streamEvents(client, 'deploys.events', { params: { app: 'web', id: 'dep-1' } }, DEPLOY_EVENTS, () => undefined),
    (e: unknown) => isCliError(e) && e.code === 'E_BAD_RESPONSE' && e.exit === 1,
  );
});

test('double: following a deploy resumes after a dropped stream with Last-Event-ID and ends on the end event', async () => {
  const events = [
    formatSseEvent({ event: 'step', id: '1', data: JSON.stringify({ step: 'build', phase: 'end', at: '2026-01-02T03:04:05.000Z', duration_ms: 1200, outcome: 'ok' }) }),
    formatSseEvent({ event: 'secret', id: '2', data: JSON.stringify({ name: 'SECRET_KEY', value: 'abc' }) }),
    formatSseEvent({ event: 'end', id: '3', data: JSON.stringify({ status: 'live', kind: 'deploy', release: 1, duration_ms: 2000, url: 'http://web.hop3.test/' }) }),
  ];
  const asked: Array<string | undefined> = [];
  handler = (req, res) => {
    const last = req.headers['last-event-id'] as string | undefined;
    asked.push(last);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (last === undefined) res.end(events[0]); // the connection drops after the first event
    else res.end(events.slice(Number(last)).join(''));
  };
  const io = quietIo();
  const r = await followDeploy(client, 'web', 'dep-1', { io, logTo: 'out', reconnectDelayMs: 1 });
  assert.deepEqual(asked, [undefined, '1']);
  assert.equal(r.end.status, 'live');
  assert.deepEqual(r.steps.map((s) => s.step), ['build']);
  assert.deepEqual(r.secrets, [{ name: 'SECRET_KEY', value: 'abc' }]);
  assert.match(io.text, /build ok in 1\.2 s/);
  assert.match(io.text, /resuming \(1\/5\)/);
  assert.match(io.text, /generated SECRET_KEY=abc \(shown only this once/);
});

test('double: invalid input is refused before any request leaves, as a usage error with the schema code', async () => {
  const before = seen.length;
  await assert.rejects(client.call('env.update', { params: { app: 'web' }, body: { set: { '1BAD': 'x' } } }), (e: unknown) => isCliError(e) && e.exit === 2 && e.code === 'E_INVALID_ENV_NAME');
  await assert.rejects(client.call('apps.get', { params: { app: 'Not Valid' } }), (e: unknown) => isCliError(e) && e.exit === 2 && e.code === 'E_INVALID_APP_NAME');
  assert.equal(seen.length, before);
});

test('double: an answer that breaks the response schema, or an error body that is not JSON, exits 1 with a clear code', async () => {
  handler = (_req, res) => sendJson(res, 200, { apps: [{ name: 'x' }] });
  await assert.rejects(client.call('apps.list', {}), (e: unknown) => isCliError(e) && e.code === 'E_BAD_RESPONSE' && e.exit === 1 && /response\.apps\.0/.test(e.message));
  handler = (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>bad gateway</html>');
  };
  await assert.rejects(client.call('apps.list', {}), (e: unknown) => isCliError(e) && e.code === 'E_HTTP_502' && e.exit === 1 && /bad gateway/.test(e.message));
});
