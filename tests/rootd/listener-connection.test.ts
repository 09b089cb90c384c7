/**
 * The listener's per-connection behaviour over a real Unix socket, with a
 * scripted dispatcher: ordering under pipelining, line limits, bad bytes,
 * half-close, resets, idle timeout, the connection cap, peer authorization,
 * and graceful close.
 */
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { listen, type ListenerOptions, type RootdListener } from '../../rootd/listener.ts';
import type { OpLogEntry } from '../../rootd/oplog.ts';
import type { PeerInfo } from '../../rootd/ops/types.ts';
import { MAX_LINE_BYTES } from '../../shared-protocol/ops/envelope.ts';
import { exchange } from './socket-harness.ts';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-conn-')));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

interface Rig {
  readonly sock: string;
  readonly listener: RootdListener;
  readonly logged: OpLogEntry[];
  readonly seen: Array<{ line: string; peer: PeerInfo }>;
}

/**
 * A listener whose dispatcher echoes `{"echo":<line>}`; a line `sleep:<ms>`
 * is answered after that many ms (to reorder completion), `hang` never.
 */
async function rig(opts: ListenerOptions & { allowed?: number[] } = {}): Promise<Rig> {
  const dir = join(root, `r${n++}`);
  mkdirSync(dir);
  chmodSync(dir, 0o750);
  const sock = join(dir, 's.sock');
  const logged: OpLogEntry[] = [];
  const seen: Rig['seen'] = [];
  const listener = await listen(
    {
      config: { socket: { path: sock, group: 0, allowed_uids: opts.allowed ?? [] } },
      dispatcher: {
        handleLine: async (line, peer) => {
          seen.push({ line, peer });
          const m = /^sleep:(\d+)$/.exec(line);
          if (m) await new Promise((r) => setTimeout(r, Number(m[1])));
          if (line === 'hang') await new Promise(() => undefined);
          return JSON.stringify({ echo: line });
        },
      },
      oplog: { append: async (e) => void logged.push(e) },
      health: { recordError: () => undefined },
    },
    { env: {}, ...opts },
  );
  return { sock, listener, logged, seen };
}

const echo = (l: string): string => JSON.stringify({ echo: l });
const code = (line: string | undefined): string | undefined => (line ? (JSON.parse(line) as { error?: { code: string } }).error?.code : undefined);

describe('request lines and replies', () => {
  let r: Rig;
  before(async () => (r = await rig()));
  after(() => r.listener.close());

  test('pipelined requests are answered in order even when an earlier one finishes last', async () => {
    const x = await exchange(r.sock, 'sleep:80\nsleep:1\nfast\n', { expectLines: 3 });
    assert.deepEqual(x.lines, [echo('sleep:80'), echo('sleep:1'), echo('fast')]);
  });

  test('300 lines sent in one write are all answered, in order (reading pauses and resumes)', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `req-${i}`);
    const x = await exchange(r.sock, lines.join('\n') + '\n', { expectLines: 300 });
    assert.deepEqual(x.lines, lines.map(echo));
  });

  test('a request split across many small writes is reassembled, including a split UTF-8 character', async () => {
    const bytes = Buffer.from('{"name":"caf\u00e9 \u{1F600}"}\n', 'utf8');
    const got = await new Promise<string>((resolve) => {
      const s = connect(r.sock);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('\n')) (s.destroy(), resolve(buf.trim()));
      });
      s.on('connect', async () => {
        for (const b of bytes) {
          s.write(Buffer.from([b]));
          await new Promise((t) => setTimeout(t, 1));
        }
      });
    });
    assert.equal(got, echo('{"name":"caf\u00e9 \u{1F600}"}'));
  });

  test('a line that is not valid UTF-8 gets E_BAD_JSON and the connection keeps working', async () => {
    const x = await exchange(r.sock, Buffer.concat([Buffer.from([0xff, 0xfe, 0x41, 0x0a]), Buffer.from('after\n')]), { expectLines: 2 });
    assert.equal(code(x.lines[0]), 'E_BAD_JSON');
    assert.equal(x.lines[1], echo('after'));
    assert.ok(r.logged.some((e) => e.op === '(bad-utf8)' && e.code === 'E_BAD_JSON' && e.peer?.uid === 0));
  });

  test('empty lines are ignored', async () => {
    const x = await exchange(r.sock, '\n\nthing\n\n', { expectLines: 1 });
    assert.deepEqual(x.lines, [echo('thing')]);
  });

  test(`a line of exactly ${MAX_LINE_BYTES} bytes is accepted`, async () => {
    const big = 'y'.repeat(MAX_LINE_BYTES);
    const x = await exchange(r.sock, big + '\n', { expectLines: 1 });
    assert.equal(x.lines[0], echo(big));
  });

  test('an over-long line gets E_LINE_TOO_LONG after the earlier replies, then the connection is closed', async () => {
    const x = await exchange(r.sock, 'first\n' + 'z'.repeat(MAX_LINE_BYTES + 1) + '\nnever\n', { timeoutMs: 5000 });
    assert.equal(x.lines[0], echo('first'));
    assert.equal(code(x.lines[1]), 'E_LINE_TOO_LONG');
    assert.equal(x.lines.length, 2);
    assert.equal(x.closedByServer, true);
    assert.ok(!r.seen.some((s) => s.line === 'never'));
    assert.ok(r.logged.some((e) => e.op === '(oversize)' && e.code === 'E_LINE_TOO_LONG'));
  });

  test('an over-long line without any newline is refused as soon as it passes the limit', async () => {
    const x = await exchange(r.sock, 'q'.repeat(MAX_LINE_BYTES + 10), { timeoutMs: 5000 });
    assert.equal(code(x.lines[0]), 'E_LINE_TOO_LONG');
    assert.equal(x.closedByServer, true);
  });

  test('after the client half-closes, queued lines and an unterminated last line are still answered', async () => {
    const x = await exchange(r.sock, 'sleep:30\nlast-without-newline', { end: true });
    assert.deepEqual(x.lines, [echo('sleep:30'), echo('last-without-newline')]);
    assert.equal(x.closedByServer, true);
  });

  test('random garbage bytes never stop the listener from answering the next client', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.boolean(), async (bytes, end) => {
        await exchange(r.sock, Buffer.from(bytes), { end, timeoutMs: 50 });
        const ok = await exchange(r.sock, 'ping\n', { expectLines: 1 });
        return ok.lines[0] === echo('ping');
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  test('a client that resets while its request is in progress does not disturb the listener', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(r.sock, () => {
        s.write('sleep:50\n');
        setTimeout(() => (s.destroy(), resolve()), 5);
      });
    });
    await new Promise((t) => setTimeout(t, 80));
    const ok = await exchange(r.sock, 'still-alive\n', { expectLines: 1 });
    assert.deepEqual(ok.lines, [echo('still-alive')]);
  });
});

describe('peer authorization', () => {
  test('the peer identity handed to the dispatcher is the one SO_PEERCRED reports for this process', async () => {
    const r = await rig();
    try {
      await exchange(r.sock, 'who\n', { expectLines: 1 });
      assert.deepEqual(r.seen[0]?.peer, { uid: process.getuid!(), gid: process.getgid!(), pid: process.pid });
    } finally {
      await r.listener.close();
    }
  });

  test('a uid that is neither root nor allowed gets one E_UNAUTHORIZED line, is logged, and no line is dispatched', async () => {
    const r = await rig({ peerCred: () => ({ uid: 1234, gid: 1234, pid: 4321 }) });
    try {
      const x = await exchange(r.sock, 'op\nop2\n', { timeoutMs: 3000 });
      assert.equal(x.lines.length, 1);
      assert.equal(code(x.lines[0]), 'E_UNAUTHORIZED');
      assert.equal(x.closedByServer, true);
      assert.equal(r.seen.length, 0);
      assert.deepEqual(
        r.logged.map((e) => [e.op, e.outcome, e.code, e.peer]),
        [['(connect)', 'refused', 'E_UNAUTHORIZED', { uid: 1234, gid: 1234, pid: 4321 }]],
      );
    } finally {
      await r.listener.close();
    }
  });

  test('a uid listed in allowed_uids is served', async () => {
    const r = await rig({ peerCred: () => ({ uid: 1234, gid: 1234, pid: 4321 }), allowed: [1234] });
    try {
      const x = await exchange(r.sock, 'op\n', { expectLines: 1 });
      assert.deepEqual(x.lines, [echo('op')]);
      assert.equal(r.seen[0]?.peer.uid, 1234);
    } finally {
      await r.listener.close();
    }
  });

  test('a connection whose credentials cannot be read is refused and logged without a peer', async () => {
    const r = await rig({
      peerCred: () => {
        throw new Error('ENOTSOCK');
      },
    });
    try {
      const x = await exchange(r.sock, 'op\n', { timeoutMs: 3000 });
      assert.equal(code(x.lines[0]), 'E_UNAUTHORIZED');
      assert.equal(r.logged[0]?.peer, null);
      assert.match(r.logged[0]?.message ?? '', /peer credentials unavailable: ENOTSOCK/);
    } finally {
      await r.listener.close();
    }
  });
});

describe('limits and shutdown', () => {
  test('an idle connection is closed after the idle timeout', async () => {
    const r = await rig({ idleTimeoutMs: 150 });
    try {
      const started = Date.now();
      const x = await exchange(r.sock, '', { timeoutMs: 5000 });
      assert.equal(x.closedByServer, true);
      assert.ok(Date.now() - started < 4000);
    } finally {
      await r.listener.close();
    }
  });

  test('connections beyond the cap are closed without being served, and a freed slot is reused', async () => {
    const r = await rig({ maxConnections: 2 });
    try {
      const holders = [connect(r.sock), connect(r.sock)];
      await Promise.all(holders.map((h) => new Promise((res) => h.once('connect', res))));
      await new Promise((t) => setTimeout(t, 50));
      const third = await exchange(r.sock, 'x\n', { timeoutMs: 3000 });
      assert.equal(third.lines.length, 0);
      assert.equal(third.closedByServer, true);
      holders[0]!.destroy();
      await new Promise((t) => setTimeout(t, 50));
      const fourth = await exchange(r.sock, 'y\n', { expectLines: 1 });
      assert.deepEqual(fourth.lines, [echo('y')]);
      holders[1]!.destroy();
    } finally {
      await r.listener.close();
    }
  });

  test('close() lets an in-flight request deliver its reply, then closes the connection', async () => {
    const r = await rig();
    const pending = exchange(r.sock, 'sleep:150\n', { timeoutMs: 5000 });
    await new Promise((t) => setTimeout(t, 40));
    await r.listener.close();
    const x = await pending;
    assert.deepEqual(x.lines, [echo('sleep:150')]);
    assert.equal(x.closedByServer, true);
  });

  test('close() does not wait forever for a request that never finishes', async () => {
    const r = await rig();
    const pending = exchange(r.sock, 'hang\n', { timeoutMs: 8000 });
    await new Promise((t) => setTimeout(t, 40));
    const started = Date.now();
    await r.listener.close(300);
    assert.ok(Date.now() - started < 3000);
    const x = await pending;
    assert.equal(x.closedByServer, true);
  });
});
