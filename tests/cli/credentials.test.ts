/** Credentials: file and directory modes, atomic rewrite, malformed files, env precedence, URL checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsPath, normalizeServerUrl, readCredentials, removeCredentials, resolveConnection, writeCredentials } from '../../cli/credentials.ts';
import { isCliError } from '../../cli/errors.ts';
import { tempDir } from './harness.ts';

test('credentials live under $XDG_CONFIG_HOME/hop3, else ~/.config/hop3; a relative XDG_CONFIG_HOME is ignored', () => {
  assert.equal(credentialsPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' }), '/x/cfg/hop3/credentials.json');
  assert.equal(credentialsPath({ HOME: '/home/a' }), '/home/a/.config/hop3/credentials.json');
  assert.equal(credentialsPath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/a' }), '/home/a/.config/hop3/credentials.json');
});

test('the file is written 0600 in a 0700 directory whatever the umask, and a loose existing directory is tightened', () => {
  const t = tempDir();
  const old = process.umask(0o000);
  try {
    const path = join(t.dir, 'hop3', 'credentials.json');
    writeCredentials(path, { server: 'http://127.0.0.1:8000', token: 'hop3_x' });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(t.dir, 'hop3')).mode & 0o777, 0o700);
    chmodSync(join(t.dir, 'hop3'), 0o755);
    writeCredentials(path, { server: 'http://127.0.0.1:8000', token: 'hop3_y' });
    assert.equal(statSync(join(t.dir, 'hop3')).mode & 0o777, 0o700);
    assert.deepEqual(readCredentials(path), { version: 1, server: 'http://127.0.0.1:8000', token: 'hop3_y' });
    assert.deepEqual(readdirSync(join(t.dir, 'hop3')), ['credentials.json'], 'no temp file is left behind');
    assert.equal(removeCredentials(path), true);
    assert.equal(removeCredentials(path), false);
    assert.equal(readCredentials(path), null);
  } finally {
    process.umask(old);
    t.cleanup();
  }
});

test('a malformed credentials file is an error that says how to recover, never silently ignored', () => {
  const t = tempDir();
  try {
    for (const text of ['not json', '{"version":2,"server":"x","token":"y"}', '{"server":"x"}']) {
      const path = join(t.dir, 'credentials.json');
      writeFileSync(path, text);
      assert.throws(() => readCredentials(path), (e: unknown) => isCliError(e) && e.code === 'E_CREDENTIALS' && /hop3 logout/.test(e.hint ?? ''));
    }
  } finally {
    t.cleanup();
  }
});

test('HOP3_API_URL and HOP3_API_TOKEN override the file; the file token is used only for its own server', () => {
  const t = tempDir();
  try {
    const env = { XDG_CONFIG_HOME: t.dir };
    mkdirSync(join(t.dir, 'hop3'));
    writeCredentials(join(t.dir, 'hop3', 'credentials.json'), { server: 'https://a.example', token: 'tok-a' });
    assert.deepEqual(resolveConnection(env), { server: 'https://a.example', token: 'tok-a', source: { server: 'file', token: 'file' } });
    assert.equal(resolveConnection({ ...env, HOP3_API_TOKEN: 'tok-env' }).token, 'tok-env');
    assert.equal(resolveConnection({ ...env, HOP3_API_URL: 'https://a.example/' }).token, 'tok-a');
    assert.throws(() => resolveConnection({ ...env, HOP3_API_URL: 'https://b.example' }), (e: unknown) => isCliError(e) && e.exit === 3);
    assert.deepEqual(resolveConnection({ ...env, HOP3_API_URL: 'https://b.example', HOP3_API_TOKEN: 't' }).source, { server: 'env', token: 'env' });
    assert.throws(() => resolveConnection({ XDG_CONFIG_HOME: join(t.dir, 'none') }), (e: unknown) => isCliError(e) && e.code === 'E_NOT_LOGGED_IN' && e.exit === 3);
  } finally {
    t.cleanup();
  }
});

const URLS: Array<[string, string | null]> = [
  ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
  ['https://hop3.example.com/', 'https://hop3.example.com'],
  ['https://hop3.example.com/prefix//', 'https://hop3.example.com/prefix'],
  ['ftp://x', null],
  ['hop3.example.com', null],
  ['https://u:p@hop3.example.com', null],
  ['https://hop3.example.com/?x=1', null],
];
for (const [raw, want] of URLS) {
  test(`server URL ${JSON.stringify(raw)} is ${want === null ? 'refused as a usage error' : `normalized to ${want}`}`, () => {
    if (want === null) assert.throws(() => normalizeServerUrl(raw), (e: unknown) => isCliError(e) && e.exit === 2);
    else assert.equal(normalizeServerUrl(raw), want);
  });
}
