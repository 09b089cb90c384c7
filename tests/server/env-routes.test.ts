import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksSecret } from '../../shared-protocol/api/env-vars.ts';
import { createEnvService } from '../../server/services/env.ts';
import { errorCode, makeHarness, type Harness } from './helpers.ts';

interface EnvListJson {
  app: string;
  vars: Array<{ name: string; value: string | null; secret: boolean; updated_at: string }>;
}

async function withApp(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = makeHarness();
  try {
    assert.equal((await h.request('POST', '/v1/apps', { body: { name: 'web' } })).status, 201);
    await fn(h);
  } finally {
    h.cleanup();
  }
}

const patch = (h: Harness, body: unknown, app = 'web') => h.request('PATCH', `/v1/apps/${app}/env`, { body });

test('set vars are listed by name; secret values are null unless show_secrets=true', async () => {
  await withApp(async (h) => {
    const r = await patch(h, { set: { PORT_HINT: '8080', SECRET_KEY: 'k3y', NODE_ENV: { value: 'production' }, PLAIN: { value: 'shh', secret: true } } });
    assert.equal(r.status, 200);
    const masked = r.json as EnvListJson;
    assert.deepEqual(
      masked.vars.map((v) => [v.name, v.value, v.secret]),
      [
        ['NODE_ENV', 'production', false],
        ['PLAIN', null, true],
        ['PORT_HINT', '8080', false],
        ['SECRET_KEY', null, true],
      ],
    );
    const shown = (await h.request('GET', '/v1/apps/web/env?show_secrets=true')).json as EnvListJson;
    assert.deepEqual(shown.vars.map((v) => v.value), ['production', 'shh', '8080', 'k3y']);
    const reveal = h.log.lines.find((l) => l['msg'] === 'secrets revealed');
    assert.equal(reveal?.['app'], 'web');
    assert.equal(reveal?.['token'], 'test');
    assert.equal((await h.request('GET', '/v1/apps/web/env?show_secrets=false')).text, JSON.stringify(masked));
  });
});

test('a var can be marked not secret explicitly, overriding its credential-like name', async () => {
  await withApp(async (h) => {
    const r = (await patch(h, { set: { API_KEY_HEADER: { value: 'X-Api-Key', secret: false } } })).json as EnvListJson;
    assert.deepEqual(r.vars[0], { name: 'API_KEY_HEADER', value: 'X-Api-Key', secret: false, updated_at: '2026-01-02T03:04:05.000Z' });
  });
});

test('set and unset apply in one transaction; unsetting a missing var changes nothing; updating keeps one row', async () => {
  await withApp(async (h) => {
    await patch(h, { set: { A: '1', B: '2' } });
    h.clock.advance(1000);
    const r = (await patch(h, { set: { A: '10' }, unset: ['B', 'NEVER_SET'] })).json as EnvListJson;
    assert.deepEqual(r.vars.map((v) => [v.name, v.value, v.updated_at]), [['A', '10', '2026-01-02T03:04:06.000Z']]);
    const app = (await h.request('GET', '/v1/apps/web')).json as { env_count: number; updated_at: string };
    assert.equal(app.env_count, 1);
    assert.equal(app.updated_at, '2026-01-02T03:04:06.000Z');
  });
});

test('values are encrypted at rest: the database never holds the plaintext', async () => {
  await withApp(async (h) => {
    await patch(h, { set: { DATABASE_URL: 'postgres://user:pa55word-unique@db/x', COLOR: 'blue-unique-value' } });
    const rows = h.opened.sqlite.prepare('SELECT name, value_sealed FROM env_vars').all() as Array<{ name: string; value_sealed: Buffer }>;
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.value_sealed.includes(Buffer.from('pa55word-unique')), false);
      assert.equal(r.value_sealed.includes(Buffer.from('blue-unique-value')), false);
    }
  });
});

test('a stored value tampered with, or moved to another app, answers E_SECRET_UNREADABLE instead of a wrong value', async () => {
  await withApp(async (h) => {
    await h.request('POST', '/v1/apps', { body: { name: 'api' } });
    await patch(h, { set: { TOKEN: 'web-token' } });
    await patch(h, { set: { OTHER: 'x' } }, 'api');
    // Move web's sealed TOKEN onto api's row.
    h.opened.sqlite.exec(`UPDATE env_vars SET value_sealed = (SELECT value_sealed FROM env_vars WHERE name = 'TOKEN') WHERE name = 'OTHER'`);
    const moved = await h.request('GET', '/v1/apps/api/env?show_secrets=true');
    assert.equal(moved.status, 500);
    assert.equal(errorCode(moved), 'E_SECRET_UNREADABLE');
    assert.equal(moved.text.includes('web-token'), false);
    // Flip one byte of web's value.
    h.opened.sqlite.exec(`UPDATE env_vars SET value_sealed = substr(value_sealed, 1, 20) || x'00' || substr(value_sealed, 22) WHERE name = 'TOKEN'`);
    assert.equal(errorCode(await h.request('GET', '/v1/apps/web/env?show_secrets=1')), 'E_SECRET_UNREADABLE');
  });
});

test('the deploy pipeline reads plaintext values through the env service', async () => {
  await withApp(async (h) => {
    await patch(h, { set: { A: '1', SECRET: 's' } });
    const env = createEnvService({ db: h.opened.db, secrets: h.secrets, clock: h.clock.now });
    assert.deepEqual(env.values('web'), { A: '1', SECRET: 's' });
  });
});

const BAD_PATCHES: Array<[string, unknown, string]> = [
  ['a name starting with a digit', { set: { '1A': 'x' } }, 'E_INVALID_ENV_NAME'],
  ['a name with a dash', { set: { 'MY-VAR': 'x' } }, 'E_INVALID_ENV_NAME'],
  ['an empty name', { set: { '': 'x' } }, 'E_INVALID_ENV_NAME'],
  ['a name of 256 chars', { set: { ['A'.repeat(256)]: 'x' } }, 'E_INVALID_ENV_NAME'],
  ['a bad name to unset', { unset: ['has space'] }, 'E_INVALID_ENV_NAME'],
  ['a numeric value', { set: { A: 1 } }, 'E_INVALID_BODY'],
  ['a value with NUL', { set: { A: 'a\u0000b' } }, 'E_INVALID_BODY'],
  ['an unknown field in a setting', { set: { A: { value: 'x', hidden: true } } }, 'E_INVALID_BODY'],
  ['the same name set and unset', { set: { A: 'x' }, unset: ['A'] }, 'E_INVALID_BODY'],
  ['an unknown top-level field', { add: { A: 'x' } }, 'E_INVALID_BODY'],
];
for (const [what, body, code] of BAD_PATCHES) {
  test(`an env patch with ${what} is refused with ${code} and changes nothing`, async () => {
    await withApp(async (h) => {
      await patch(h, { set: { KEEP: 'me' } });
      const r = await patch(h, body);
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), code);
      const list = (await h.request('GET', '/v1/apps/web/env')).json as EnvListJson;
      assert.deepEqual(list.vars.map((v) => v.name), ['KEEP']);
    });
  });
}

test('env of an unknown app is 404, and a bad show_secrets value is 400 E_INVALID_QUERY', async () => {
  await withApp(async (h) => {
    assert.equal(errorCode(await h.request('GET', '/v1/apps/nope/env')), 'E_APP_NOT_FOUND');
    assert.equal(errorCode(await patch(h, { set: { A: '1' } }, 'nope')), 'E_APP_NOT_FOUND');
    assert.equal(errorCode(await h.request('GET', '/v1/apps/web/env?show_secrets=yes')), 'E_INVALID_QUERY');
  });
});

const SECRET_DEFAULTS: Array<[string, string, boolean]> = [
  ['DATABASE_URL', 'postgres://u:p@h/db', true],
  ['DATABASE_URL', 'postgres://h/db', false],
  ['REDIS_URL', 'redis://:pw@localhost:6379', true],
  ['SECRET_KEY_BASE', 'x', true],
  ['DJANGO_SECRET', 'x', true],
  ['GITHUB_TOKEN', 'x', true],
  ['DB_PASSWORD', 'x', true],
  ['API_KEY', 'x', true],
  ['STRIPE_KEY', 'x', true],
  ['SENTRY_DSN', 'x', true],
  ['PORT', '8000', false],
  ['NODE_ENV', 'production', false],
  ['KEYBOARD_LAYOUT', 'us', false],
  ['MONKEY', 'x', false],
];
for (const [name, value, secret] of SECRET_DEFAULTS) {
  test(`${name}=${value} is ${secret ? '' : 'not '}secret by default`, () => {
    assert.equal(looksSecret(name, value), secret);
  });
}
