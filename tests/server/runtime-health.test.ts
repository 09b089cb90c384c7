import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { systemClock } from '../../server/runtime/clock.ts';
import { waitHealthy } from '../../server/runtime/health.ts';
import { CrashCounter, tailFile } from '../../server/runtime/log-watch.ts';

async function serve(statuses: number[]): Promise<{ server: Server; port: number; hits: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    const status = statuses[Math.min(n, statuses.length - 1)] ?? 200;
    n++;
    res.writeHead(status);
    res.end(status >= 500 ? 'database is down' : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port, hits: () => n };
}

describe('the health check', () => {
  it('succeeds on the first 2xx or 3xx answer', async () => {
    const s = await serve([302]);
    try {
      const r = await waitHealthy({ port: s.port, path: '/health', timeoutMs: 2000, clock: systemClock });
      assert.equal(r.status, 302);
      assert.equal(r.attempts, 1);
    } finally {
      s.server.close();
    }
  });

  it('keeps waiting through 503 (not ready yet) and 404', async () => {
    const s = await serve([503, 404, 503, 200]);
    try {
      const r = await waitHealthy({ port: s.port, timeoutMs: 5000, intervalMs: 10, clock: systemClock });
      assert.equal(r.status, 200);
      assert.equal(r.attempts, 4);
    } finally {
      s.server.close();
    }
  });

  it('fails at once on a 500, reporting the status and the start of the body', async () => {
    const s = await serve([500]);
    try {
      await assert.rejects(waitHealthy({ port: s.port, path: '/health', timeoutMs: 5000, clock: systemClock }), (e) => {
        assert.ok(isHop3Error(e));
        assert.equal(e.code, 'E_HEALTHCHECK_FAILED');
        assert.match(e.message, /GET \/health .* answered 500: database is down/);
        return true;
      });
      assert.equal(s.hits(), 1);
    } finally {
      s.server.close();
    }
  });

  it('times out when nothing listens, saying what the last attempt saw', async () => {
    const t0 = performance.now();
    await assert.rejects(waitHealthy({ port: 24199, timeoutMs: 400, intervalMs: 20, clock: systemClock }), (e) => {
      assert.ok(isHop3Error(e));
      assert.equal(e.code, 'E_RUNTIME_START_TIMEOUT');
      assert.match(e.message, /ECONNREFUSED/);
      return true;
    });
    assert.ok(performance.now() - t0 < 1500);
  });

  it('stops as soon as the caller\'s check throws (a crash loop)', async () => {
    let calls = 0;
    const check = async (): Promise<void> => {
      calls++;
      if (calls === 3) throw new Error('crash loop');
    };
    await assert.rejects(waitHealthy({ port: 24198, timeoutMs: 5000, intervalMs: 10, clock: systemClock, check }), /crash loop/);
  });
});

describe('watching a vassal log', () => {
  it('counts a death per throttled or immediate respawn, and a restart of the vassal master', () => {
    const c = new CrashCounter();
    for (const line of [
      '*** Starting uWSGI 2.0.21-debian (64bit) on [Sat Nov 21 21:42:05 2026] ***',
      '[uwsgi-daemons] spawning "exec node app.js" (uid: 0 gid: 0)',
      'listening',
      '[uwsgi-daemons] throttling "exec node app.js" for 1 seconds',
      '[uwsgi-daemons] respawning "exec node app.js" (uid: 0 gid: 0)',
      '[uwsgi-daemons] respawning "exec node app.js" (uid: 0 gid: 0)',
    ]) c.feed(line);
    assert.equal(c.starts, 3);
    assert.equal(c.deaths, 2);
    c.feed('*** Starting uWSGI 2.0.21-debian (64bit) on [Sat Nov 21 21:43:05 2026] ***');
    assert.equal(c.deaths, 3);
  });

  it('streams lines appended after the offset, including a last line without newline at stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hop3-tail-'));
    const file = join(dir, 'a.log');
    writeFileSync(file, 'old line\n');
    const lines: string[] = [];
    const tail = tailFile(file, 9, (l) => lines.push(l), systemClock, 10);
    appendFileSync(file, 'one\ntw');
    await tail.poll();
    appendFileSync(file, 'o\nthree');
    await tail.stop();
    rmSync(dir, { recursive: true });
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });

  it('follows a file that does not exist yet, and one that was rotated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hop3-tail-'));
    const file = join(dir, 'b.log');
    const lines: string[] = [];
    const tail = tailFile(file, 0, (l) => lines.push(l), systemClock, 10);
    await tail.poll();
    writeFileSync(file, 'first\nsecond\n');
    await tail.poll();
    writeFileSync(file, 'new\n');
    await tail.stop();
    rmSync(dir, { recursive: true });
    assert.deepEqual(lines, ['first', 'second', 'new']);
  });
});
