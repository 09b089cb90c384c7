/**
 * The rootd client against the real daemon (rootd/bin.ts serve on a temp
 * socket, with binaries that cannot touch the host), plus in-process
 * net.Servers for what a healthy rootd never does (silence, garbage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createRootdClient, type RootdClient } from '../../server/rootd-client.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { createRootd } from '../../rootd/rootd.ts';
import { ROOT_PEER } from '../rootd/helpers.ts';
import { makeServeConfig, startServe } from '../rootd/socket-harness.ts';
import { tempDir } from './helpers.ts';

function client(socketPath: string, extra: Partial<Parameters<typeof createRootdClient>[0]> = {}): RootdClient {
  return createRootdClient({ socketPath, client: 'hop3-server/test', timeoutMs: 5_000, connectTimeoutMs: 2_000, ...extra });
}

async function rejectsWith(p: Promise<unknown>, code: string, check?: (e: { message: string; hint: string | undefined }) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isHop3Error(e), `expected a Hop3Error, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    check?.(e);
    return true;
  });
}

test('against the real rootd: the handshake runs on connect, and typed calls return typed results', async () => {
  const t = makeServeConfig();
  const rootd = await startServe(t.configFile, t.config.socket.path);
  const c = client(t.config.socket.path);
  try {
    const hs = await c.connect();
    assert.equal(hs.protocol, 1);
    assert.equal(hs.peer.pid, process.pid);
    assert.equal(hs.peer.uid, process.getuid?.());
    const health = await c.call('daemon.health', {});
    assert.equal(typeof health.uptime_s, 'number');
    assert.deepEqual(health.state, { rules: 0, mounts: 0, cgroups: 0, sites: 0 });
    const sites = await c.call('nginx.list_sites', {});
    assert.deepEqual(sites.sites, []);
    // Many calls in flight on one connection each get their own reply.
    const many = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? c.call('nginx.list_sites', {}) : c.call('daemon.health', {}))));
    assert.equal(many.length, 25);
  } finally {
    await c.close();
    await rootd.stop();
    t.cleanup();
  }
});

test("against the real rootd: an error reply keeps rootd's code, message and hint", async () => {
  const t = makeServeConfig();
  const rootd = await startServe(t.configFile, t.config.socket.path);
  const c = client(t.config.socket.path);
  try {
    await rejectsWith(c.call('nginx.apply_site', { app: 'web', hostnames: ['web.example.com'], upstream_ports: [8001], tls: { cert_id: 'missing' } }), 'E_TLS_CERT_MISSING', (e) => {
      assert.match(e.message, /missing/);
      assert.ok(e.hint !== undefined && e.hint.length > 0);
    });
    // A site with neither upstream_ports nor static_root passes the schema; rootd refuses it by name.
    await rejectsWith(c.call('nginx.apply_site', { app: 'web', hostnames: ['web.example.com'] }), 'E_NGINX_INVALID_SITE', (e) => {
      assert.match(e.message, /neither static_root nor upstream_ports/);
      assert.match(e.hint ?? '', /upstream_ports.*static_root/);
    });
    // The connection survives an error reply.
    assert.deepEqual((await c.call('nginx.list_sites', {})).sites, []);
  } finally {
    await c.close();
    await rootd.stop();
    t.cleanup();
  }
});

test('against the real rootd: after rootd restarts, the next call reconnects with a new handshake', async () => {
  const t = makeServeConfig();
  let rootd = await startServe(t.configFile, t.config.socket.path);
  const c = client(t.config.socket.path);
  try {
    await c.call('daemon.health', {});
    await rootd.stop();
    await rejectsWith(c.call('daemon.health', {}), 'E_ROOTD_UNAVAILABLE', (e) => assert.ok(e.hint !== undefined));
    rootd = await startServe(t.configFile, t.config.socket.path);
    const health = await c.call('daemon.health', {});
    assert.ok(health.uptime_s < 30);
    assert.equal(c.handshake?.protocol, 1);
  } finally {
    await c.close();
    await rootd.stop();
    t.cleanup();
  }
});

test('with no rootd socket, calls fail fast with E_ROOTD_UNAVAILABLE and a hint to start rootd', async () => {
  const t = tempDir();
  try {
    const c = client(join(t.dir, 'rootd.sock'));
    const started = Date.now();
    await rejectsWith(c.call('daemon.health', {}), 'E_ROOTD_UNAVAILABLE', (e) => {
      assert.match(e.message, /does not exist/);
      assert.match(e.hint ?? '', /Start hop3-rootd/);
    });
    assert.ok(Date.now() - started < 1000);
    await c.close();
  } finally {
    t.cleanup();
  }
});

test('a stale socket file with nobody listening is reported as rootd not running', async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'rootd.sock');
    const s = createServer();
    await new Promise<void>((r) => s.listen(path, () => r()));
    // Close the server but keep the file: what a crashed daemon leaves behind.
    await new Promise<void>((r) => s.close(() => r()));
    const c = client(path);
    await rejectsWith(c.call('daemon.health', {}), 'E_ROOTD_UNAVAILABLE');
    await c.close();
  } finally {
    t.cleanup();
  }
});

/** An in-process socket server whose line handler the test chooses. */
async function fakeRootd(onLine: (line: string, sock: Socket) => void): Promise<{ path: string; server: Server; close(): Promise<void> }> {
  const t = tempDir();
  const path = join(t.dir, 'rootd.sock');
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        onLine(line, sock);
      }
    });
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  return {
    path,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      t.cleanup();
    },
  };
}

/** A real rootd dispatcher (createRootd) behind an in-process socket, with a hook to drop some requests. */
async function dispatcherRootd(drop: (op: string) => boolean = () => false) {
  const { makeTempRootdConfig } = await import('../rootd/helpers.ts');
  const tmp = makeTempRootdConfig({ binaries: { nft: '/bin/false', mount: '/bin/false', umount: '/bin/false' } });
  const rootd = createRootd(tmp.config);
  const fake = await fakeRootd((line, sock) => {
    const op = (JSON.parse(line) as { op: string }).op;
    if (drop(op)) return;
    void rootd.dispatcher.handleLine(line, ROOT_PEER).then((reply) => sock.write(`${reply}\n`));
  });
  return {
    path: fake.path,
    close: async () => {
      await fake.close();
      await rootd.close();
      tmp.cleanup();
    },
  };
}

test('a call rootd never answers fails with E_ROOTD_TIMEOUT, and the connection keeps serving other calls', async () => {
  const r = await dispatcherRootd((op) => op === 'nginx.list_sites');
  const c = client(r.path, { timeoutMs: 150 });
  try {
    const started = Date.now();
    await rejectsWith(c.call('nginx.list_sites', {}), 'E_ROOTD_TIMEOUT', (e) => assert.match(e.message, /within 150 ms/));
    assert.ok(Date.now() - started < 1000);
    assert.equal(typeof (await c.call('daemon.health', {})).uptime_s, 'number');
  } finally {
    await c.close();
    await r.close();
  }
});

test('a per-call timeout overrides the default', async () => {
  const r = await dispatcherRootd((op) => op === 'nginx.list_sites');
  const c = client(r.path, { timeoutMs: 10_000 });
  try {
    await rejectsWith(c.call('nginx.list_sites', {}, { timeoutMs: 100 }), 'E_ROOTD_TIMEOUT');
  } finally {
    await c.close();
    await r.close();
  }
});

test('a connection that drops mid-call rejects the call as unavailable (maybe applied), and the next call reconnects', async () => {
  let connections = 0;
  let killNext = true;
  const { makeTempRootdConfig } = await import('../rootd/helpers.ts');
  const tmp = makeTempRootdConfig({ binaries: { nft: '/bin/false', mount: '/bin/false', umount: '/bin/false' } });
  const rootd = createRootd(tmp.config);
  const fake = await fakeRootd((line, sock) => {
    const op = (JSON.parse(line) as { op: string }).op;
    if (op === 'daemon.handshake') connections++;
    if (op === 'daemon.health' && killNext) {
      killNext = false;
      sock.destroy();
      return;
    }
    void rootd.dispatcher.handleLine(line, ROOT_PEER).then((reply) => sock.write(`${reply}\n`));
  });
  const c = client(fake.path);
  try {
    await rejectsWith(c.call('daemon.health', {}), 'E_ROOTD_UNAVAILABLE', (e) => assert.match(e.message, /may or may not have been applied/));
    assert.equal(typeof (await c.call('daemon.health', {})).uptime_s, 'number');
    assert.equal(connections, 2);
  } finally {
    await c.close();
    await fake.close();
    await rootd.close();
    tmp.cleanup();
  }
});

const BAD_SERVERS: Array<[string, (line: string, sock: Socket) => void, string, RegExp]> = [
  ['answers with a line that is not JSON', (_l, s) => s.write('hello\n'), 'E_ROOTD_PROTOCOL', /not JSON/],
  ['answers with another protocol version', (l, s) => s.write(`${JSON.stringify({ v: 2, id: (JSON.parse(l) as { id: string }).id, ok: true, result: {} })}\n`), 'E_ROOTD_PROTOCOL', /protocol-1/],
  [
    'answers the handshake with a result outside its schema',
    (l, s) => s.write(`${JSON.stringify({ v: 1, id: (JSON.parse(l) as { id: string }).id, ok: true, result: { protocol: 1 } })}\n`),
    'E_ROOTD_PROTOCOL',
    /outside its schema/,
  ],
  [
    'refuses the handshake as unauthorized',
    (l, s) => s.write(`${JSON.stringify({ v: 1, id: (JSON.parse(l) as { id: string }).id, ok: false, error: { code: 'E_UNAUTHORIZED', message: 'uid 1000 may not call rootd', hint: 'Add the user to allowed_uids.' } })}\n`),
    'E_ROOTD_UNAVAILABLE',
    /refused the handshake: E_UNAUTHORIZED: uid 1000/,
  ],
  [
    'refuses the protocol version',
    (l, s) => s.write(`${JSON.stringify({ v: 1, id: (JSON.parse(l) as { id: string }).id, ok: false, error: { code: 'E_BAD_VERSION', message: 'protocol 1 unsupported' } })}\n`),
    'E_ROOTD_PROTOCOL',
    /refused protocol 1/,
  ],
  ['accepts but never answers the handshake', () => {}, 'E_ROOTD_UNAVAILABLE', /did not answer daemon.handshake within 200 ms/],
  ['sends an endless line', (_l, s) => s.write('x'.repeat(70_000)), 'E_ROOTD_PROTOCOL', /longer than 65536 bytes/],
];
for (const [what, onLine, code, re] of BAD_SERVERS) {
  test(`a daemon that ${what} gives ${code}`, async () => {
    const fake = await fakeRootd(onLine);
    const c = client(fake.path, { connectTimeoutMs: 200, maxReplyBytes: 65_536 });
    try {
      await rejectsWith(c.call('daemon.health', {}), code, (e) => assert.match(e.message, re));
    } finally {
      await c.close();
      await fake.close();
    }
  });
}

test('params outside the op schema and oversize requests are refused before anything is sent', async () => {
  let received = 0;
  const fake = await fakeRootd(() => received++);
  const c = client(fake.path);
  try {
    // The cast stands in for a caller that bypassed the types (e.g. data from a request).
    await rejectsWith(c.call('nginx.remove_site', { app: '../etc' }), 'E_INVALID_PARAMS');
    await rejectsWith(c.call('nginx.remove_site', { app: 'web', extra: 1 } as unknown as { app: string }), 'E_INVALID_PARAMS');
    assert.equal(received, 0);
  } finally {
    await c.close();
    await fake.close();
  }
});
