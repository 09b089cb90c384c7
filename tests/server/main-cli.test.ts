/** The hop3-server command as a process: admin token commands, serve on TCP and on a Unix socket, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync, writeFileSync, existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { tempDir } from './helpers.ts';

const REPO = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO, 'server/main.ts');

function envFor(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOP3_DATA_DIR: join(dir, 'data'), HOP3_ROOTD_SOCKET: join(dir, 'no-rootd.sock'), ...extra };
  delete env['HOP3_CONFIG'];
  return env;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function serve(env: NodeJS.ProcessEnv) {
  const p = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const listening = new Promise<string>((resolveAddr, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /"msg":"hop3-server listening","address":"([^"]+)"/.exec(stderr);
      if (m !== null) {
        clearTimeout(timer);
        resolveAddr(m[1] as string);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return {
    listening,
    stderr: () => stderr,
    stop: async (): Promise<number | null> => {
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** What a crashed server leaves behind: a socket file nobody listens on. */
async function leaveStaleSocket(path: string): Promise<void> {
  const p = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('up'))", path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => p.stdout.once('data', () => r()));
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGKILL');
  await exited;
}

function httpGet(opts: { socketPath?: string; url?: string; path: string; token?: string }): Promise<{ status: number; body: string }> {
  return new Promise((done, reject) => {
    const headers = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
    const req = opts.socketPath !== undefined ? httpRequest({ socketPath: opts.socketPath, path: opts.path, headers }) : httpRequest(`${opts.url}${opts.path}`, { headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('admin create-token prints only the token on stdout, once; list never shows it; revoke removes it', async () => {
  const t = tempDir();
  try {
    const env = envFor(t.dir);
    const created = await run(['admin', 'create-token', 'alice'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^hop3_[A-Za-z0-9_-]{43}\n$/);
    assert.match(created.stderr, /shown only this once/);
    const token = created.stdout.trim();
    const list = await run(['admin', 'list-tokens', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as Array<{ name: string; prefix: string }>;
    assert.deepEqual(rows.map((r) => [r.name, r.prefix]), [['alice', token.slice(0, 9)]]);
    assert.equal(list.stdout.includes(token), false);
    const table = await run(['admin', 'list-tokens'], env);
    assert.match(table.stdout, /^ID\s+NAME\s+PREFIX/);
    assert.equal(table.stdout.includes(token), false);
    assert.equal((await run(['admin', 'create-token', 'alice'], env)).code, 1);
    assert.equal((await run(['admin', 'revoke-token', 'alice'], env)).code, 0);
    const missing = await run(['admin', 'revoke-token', 'alice'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /E_TOKEN_NOT_FOUND/);
    assert.equal(statSync(join(t.dir, 'data')).mode & 0o777, 0o700);
    assert.equal(statSync(join(t.dir, 'data', 'hop3.db')).mode & 0o777, 0o600);
  } finally {
    t.cleanup();
  }
});

const USAGE: Array<[string[], number, RegExp]> = [
  [[], 2, /E_USAGE: missing command/],
  [['serv'], 2, /unknown command "serv"/],
  [['admin', 'create-token'], 2, /needs a token name/],
  [['admin', 'delete-token', 'x'], 2, /unknown admin command/],
  [['serve', '--port', '1'], 2, /E_USAGE/],
  [['admin', 'create-token', 'bad name'], 2, /not valid/],
];
for (const [args, code, re] of USAGE) {
  test(`hop3-server ${args.join(' ') || '(nothing)'} exits ${code} with a usage error`, async () => {
    const t = tempDir();
    try {
      const r = await run(args, envFor(t.dir));
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, re);
    } finally {
      t.cleanup();
    }
  });
}

test('a bad config exits 3 naming the setting, before anything is created', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'server.json');
    writeFileSync(file, JSON.stringify({ domain: 'Not A Domain' }));
    const r = await run(['serve', '--config', file], envFor(t.dir));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /E_CONFIG_INVALID: invalid server config \(.*server\.json\): domain/);
    assert.equal(existsSync(join(t.dir, 'data')), false);
  } finally {
    t.cleanup();
  }
});

test('serve on 127.0.0.1 port 0 answers health, enforces tokens, warns that rootd is absent, and stops cleanly on SIGTERM', async () => {
  const t = tempDir();
  try {
    const env = envFor(t.dir, { HOP3_LISTEN: '127.0.0.1:0' });
    const token = (await run(['admin', 'create-token', 'ci'], env)).stdout.trim();
    const s = serve(env);
    const address = await s.listening;
    const url = `http://${address}`;
    assert.equal((await httpGet({ url, path: '/v1/health' })).status, 200);
    assert.equal((await httpGet({ url, path: '/v1/apps' })).status, 401);
    assert.equal((await httpGet({ url, path: '/v1/apps', token })).body, '{"apps":[]}');
    assert.match(s.stderr(), /hop3-rootd is not reachable yet.*E_ROOTD_UNAVAILABLE/);
    assert.equal(await s.stop(), 0);
    assert.equal(existsSync(join(t.dir, 'data', 'hop3.db-wal')), false, 'the WAL is checkpointed on close');
  } finally {
    t.cleanup();
  }
});

test('serve on a Unix socket creates it 0660, replaces a stale one, and removes it on stop', async () => {
  const t = tempDir();
  try {
    const sock = join(t.dir, 'server.sock');
    const env = envFor(t.dir, { HOP3_LISTEN: sock });
    const token = (await run(['admin', 'create-token', 'ci'], env)).stdout.trim();
    await leaveStaleSocket(sock);
    assert.ok(statSync(sock).isSocket());
    const first = serve(env);
    assert.equal(await first.listening, sock);
    // A second server on the same live socket is refused.
    const second = await run(['serve'], env);
    assert.equal(second.code, 5);
    assert.match(second.stderr, /E_LISTEN: another process listens/);
    assert.equal(statSync(sock).mode & 0o777, 0o660);
    assert.equal((await httpGet({ socketPath: sock, path: '/v1/whoami', token })).status, 200);
    assert.equal(await first.stop(), 0);
    assert.equal(existsSync(sock), false);
  } finally {
    t.cleanup();
  }
});
