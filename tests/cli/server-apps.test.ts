/** The real CLI against a real hop3-server: apps, env (config set/show/unset), domains, destroy, --json, exit codes. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliUser, json, startServer, tempDir, type CliUser, type RunningServer } from './harness.ts';

let server: RunningServer;
let u: CliUser;

async function createApp(name: string): Promise<void> {
  const res = await fetch(`${server.url}/v1/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.equal(res.status, 201, await res.text());
}

before(async () => {
  server = await startServer({ rootd: true });
  u = cliUser();
  const r = await u.run(['login', '--server', server.url, '--token', server.token]);
  assert.equal(r.code, 0, r.stderr);
  await createApp('web-one');
  await createApp('web-two');
});
after(async () => {
  u.cleanup();
  await server.stop();
});

test('hop3 apps lists apps as a table, and as one JSON document with --json', async () => {
  const human = await u.run(['apps']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^NAME\s+STATE\s+RELEASE\s+HOSTNAMES\n/);
  assert.match(human.stdout, /web-one\s+created\s+-\s+web-one\.hop3\.test/);
  const doc = json<{ apps: Array<{ name: string }> }>(await u.run(['apps', '--json']));
  assert.deepEqual(doc.apps.map((a) => a.name).filter((n) => n.startsWith('web-')), ['web-one', 'web-two']);
});

test('config set masks secret-looking values in show, --show-secrets reveals them, unset removes them', async () => {
  const set = await u.run(['config', 'set', '--app', 'web-one', 'PLAIN=hello world', 'API_TOKEN=s3cr3t', 'DATABASE_URL=postgres://u:pw@db/x']);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /Set PLAIN, API_TOKEN, DATABASE_URL on web-one/);
  const shown = await u.run(['config', 'show', '--app', 'web-one']);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /API_TOKEN\s+\*{8}\s+secret/);
  assert.match(shown.stdout, /DATABASE_URL\s+\*{8}\s+secret/);
  assert.match(shown.stdout, /PLAIN\s+hello world/);
  assert.equal(shown.stdout.includes('s3cr3t') || shown.stdout.includes('pw@db'), false);
  const masked = json<{ vars: Array<{ name: string; value: string | null }> }>(await u.run(['config', 'show', '--app', 'web-one', '--json']));
  assert.equal(masked.vars.find((v) => v.name === 'API_TOKEN')?.value, null);
  const revealed = json<{ vars: Array<{ name: string; value: string | null }> }>(await u.run(['config', 'show', '--app', 'web-one', '--show-secrets', '--json']));
  assert.equal(revealed.vars.find((v) => v.name === 'API_TOKEN')?.value, 's3cr3t');
  const unset = await u.run(['config', 'unset', '--app', 'web-one', 'API_TOKEN', 'PLAIN', '--json']);
  assert.equal(unset.code, 0, unset.stderr);
  assert.deepEqual(json<{ vars: Array<{ name: string }> }>(unset).vars.map((v) => v.name), ['DATABASE_URL']);
});

test('config set --no-secret stores a secret-looking name as plain, and a bad name is a usage error before any request', async () => {
  const r = await u.run(['config', 'set', '--app', 'web-two', '--no-secret', 'PUBLIC_KEY=abc']);
  assert.equal(r.code, 0, r.stderr);
  assert.match((await u.run(['config', 'show', '--app', 'web-two'])).stdout, /PUBLIC_KEY\s+abc/);
  const bad = await u.run(['config', 'set', '--app', 'web-two', '1BAD=x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /E_INVALID_ENV_NAME/);
  const noEq = await u.run(['config', 'set', '--app', 'web-two', 'JUSTANAME']);
  assert.equal(noEq.code, 2);
  assert.match(noEq.stderr, /must be KEY=VALUE/);
});

test('the app comes from --app, then HOP3_APP, then [metadata].id of ./hop3.toml', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'hop3.toml'), '[metadata]\nid = "web-two"\n\n[run]\nstart = "node server.js"\n');
    const fromToml = await u.run(['config', 'show', '--json'], { cwd: t.dir });
    assert.equal(fromToml.code, 0, fromToml.stderr);
    assert.equal(json<{ app: string }>(fromToml).app, 'web-two');
    const fromEnv = await u.run(['config', 'show', '--json'], { cwd: t.dir, env: { HOP3_APP: 'web-one' } });
    assert.equal(json<{ app: string }>(fromEnv).app, 'web-one');
    const fromFlag = await u.run(['config', 'show', '--json', '--app', 'web-two'], { cwd: t.dir, env: { HOP3_APP: 'web-one' } });
    assert.equal(json<{ app: string }>(fromFlag).app, 'web-two');
    const empty = join(t.dir, 'empty');
    mkdirSync(empty);
    const none = await u.run(['config', 'show'], { cwd: empty });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /which app\? no hop3\.toml in/);
    assert.match(none.stderr, /Pass --app <name>, set HOP3_APP/);
  } finally {
    t.cleanup();
  }
});

test('an unknown app exits 4 with the server code, message and hint', async () => {
  const r = await u.run(['config', 'show', '--app', 'nope']);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /E_APP_NOT_FOUND/);
  assert.match(r.stderr, /hint: List apps with `hop3 apps`/);
  const doc = json<{ error: { code: string }; exit: number }>(await u.run(['domains', 'list', '--app', 'nope', '--json']));
  assert.deepEqual([doc.error.code, doc.exit], ['E_APP_NOT_FOUND', 4]);
});

test('domains add, list, set, remove and clear change the host names; a taken name exits 5, a missing one 4', async () => {
  const add = await u.run(['domains', 'add', 'www.example.com', '--app', 'web-one']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /Added www\.example\.com to web-one/);
  const list = json<{ domains: string[]; hostnames: string[] }>(await u.run(['domains', 'list', '--app', 'web-one', '--json']));
  assert.deepEqual(list.hostnames, ['www.example.com']);
  const taken = await u.run(['domains', 'add', 'www.example.com', '--app', 'web-two']);
  assert.equal(taken.code, 5);
  assert.match(taken.stderr, /E_DOMAIN_TAKEN/);
  const set = json<{ domains: string[] }>(await u.run(['domains', 'set', 'a.example.com', 'b.example.com', '--app', 'web-one', '--json']));
  assert.deepEqual(set.domains, ['a.example.com', 'b.example.com']);
  assert.equal((await u.run(['domains', 'remove', 'a.example.com', '--app', 'web-one'])).code, 0);
  const missing = await u.run(['domains', 'remove', 'a.example.com', '--app', 'web-one']);
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /E_DOMAIN_NOT_FOUND/);
  const cleared = await u.run(['domains', 'clear', '--app', 'web-one']);
  assert.equal(cleared.code, 0);
  assert.match(cleared.stdout, /web-one has no domains; it answers on web-one\.hop3\.test/);
});

test('an invalid host name is refused locally with exit 2 and the precise reason', async () => {
  const r = await u.run(['domains', 'add', 'Bad_Host.example', '--app', 'web-one']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /E_INVALID_HOSTNAME: hostname "Bad_Host\.example" has uppercase letters/);
});

test('app destroy refuses without an exact --confirm, then destroys the app', async () => {
  await createApp('doomed');
  const none = await u.run(['app', 'destroy', '--app', 'doomed']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs --confirm=doomed/);
  const wrong = await u.run(['app', 'destroy', '--app', 'doomed', '--confirm=doome']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /does not match the app name/);
  const ok = await u.run(['app', 'destroy', '--app', 'doomed', '--confirm=doomed', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(json(ok), { deleted: 'doomed' });
  const apps = json<{ apps: Array<{ name: string }> }>(await u.run(['apps', '--json']));
  assert.equal(apps.apps.some((a) => a.name === 'doomed'), false);
});

test('deploy refuses a directory holding a symbolic link with exit 6 and the bundle code, before uploading', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'hop3.toml'), '[metadata]\nid = "web-two"\n\n[run]\nstart = "node server.js"\n');
    writeFileSync(join(t.dir, 'server.js'), '');
    symlinkSync('/etc/passwd', join(t.dir, 'passwd'));
    const r = await u.run(['deploy', t.dir]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /E_BUNDLE_SYMLINK: symbolic links cannot be uploaded: passwd/);
    assert.match(r.stderr, /hint: Replace it by a copy/);
    assert.doesNotMatch(r.stderr, /Uploading/);
  } finally {
    t.cleanup();
  }
});
