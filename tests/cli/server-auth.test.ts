/** The real CLI against a real hop3-server: login, credentials, token overrides, auth failures. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliUser, json, startServer, type RunningServer } from './harness.ts';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

test('login checks the token with whoami, then stores server and token in a 0600 file inside a 0700 directory', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['login', '--server', `${server.url}/`, '--token', server.token]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged in to http:\/\/127\.0\.0\.1:\d+ with token "cli-test"/);
    const file = join(u.configHome, 'hop3', 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(u.configHome, 'hop3')).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, server: server.url, token: server.token });
    const who = await u.run(['whoami', '--json']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal(json<{ token: { name: string } }>(who).token.name, 'cli-test');
  } finally {
    u.cleanup();
  }
});

test('login reads the token from stdin with --token -', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['login', '--server', server.url, '--token', '-', '--json'], { input: `${server.token}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<{ server: string }>(r).server, server.url);
  } finally {
    u.cleanup();
  }
});

test('login with a wrong token exits 3 with the server error and stores nothing', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['login', '--server', server.url, '--token', 'hop3_wrongwrongwrongwrongwrongwrongwrongwrongwro']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /E_AUTH_INVALID/);
    assert.equal(existsSync(join(u.configHome, 'hop3', 'credentials.json')), false);
  } finally {
    u.cleanup();
  }
});

test('a command without any credentials exits 3 and says how to log in', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['apps']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /E_NOT_LOGGED_IN: no server configured/);
    assert.match(r.stderr, /hop3 login --server URL/);
  } finally {
    u.cleanup();
  }
});

test('HOP3_API_URL and HOP3_API_TOKEN work without a credentials file', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['apps', '--json'], { env: { HOP3_API_URL: server.url, HOP3_API_TOKEN: server.token } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { apps: [] });
  } finally {
    u.cleanup();
  }
});

test('HOP3_API_TOKEN overrides the stored token, and a rejected token exits 3 with a JSON error on stdout', async () => {
  const u = cliUser();
  try {
    assert.equal((await u.run(['login', '--server', server.url, '--token', server.token])).code, 0);
    const r = await u.run(['apps', '--json'], { env: { HOP3_API_TOKEN: 'hop3_notarealtokennotarealtokennotarealtoken1' } });
    assert.equal(r.code, 3);
    const doc = json<{ error: { code: string; hint?: string }; exit: number }>(r);
    assert.equal(doc.error.code, 'E_AUTH_INVALID');
    assert.equal(doc.exit, 3);
    assert.ok(doc.error.hint !== undefined);
  } finally {
    u.cleanup();
  }
});

test('the stored token is not sent to another server named by HOP3_API_URL', async () => {
  const u = cliUser();
  try {
    assert.equal((await u.run(['login', '--server', server.url, '--token', server.token])).code, 0);
    const r = await u.run(['apps'], { env: { HOP3_API_URL: 'http://127.0.0.2:9' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /E_NOT_LOGGED_IN: no token for http:\/\/127\.0\.0\.2:9/);
  } finally {
    u.cleanup();
  }
});

test('logout removes the credentials file; the next command is not logged in', async () => {
  const u = cliUser();
  try {
    assert.equal((await u.run(['login', '--server', server.url, '--token', server.token])).code, 0);
    const out = await u.run(['logout']);
    assert.equal(out.code, 0);
    assert.match(out.stdout, /Removed .*credentials\.json/);
    assert.equal((await u.run(['apps'])).code, 3);
    assert.match((await u.run(['logout'])).stdout, /Not logged in/);
  } finally {
    u.cleanup();
  }
});

test('an unreachable server exits 1 naming the URL', async () => {
  const u = cliUser();
  try {
    const r = await u.run(['apps'], { env: { HOP3_API_URL: 'http://127.0.0.1:9', HOP3_API_TOKEN: 'x' } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_SERVER_UNREACHABLE: cannot reach http:\/\/127\.0\.0\.1:9/);
  } finally {
    u.cleanup();
  }
});
