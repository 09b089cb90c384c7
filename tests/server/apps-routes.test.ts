import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode, makeHarness, type Harness } from './helpers.ts';
import type { AppHooks } from '../../server/services/hooks.ts';

async function withHarness(fn: (h: Harness) => Promise<void>, hooks?: AppHooks): Promise<void> {
  const h = makeHarness(hooks === undefined ? {} : { hooks });
  try {
    await fn(h);
  } finally {
    h.cleanup();
  }
}

test('creating an app answers 201 with its detail: state created, no release, default host name <app>.<domain>', async () => {
  await withHarness(async (h) => {
    const r = await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json, {
      name: 'web',
      state: 'created',
      created_at: '2026-01-02T03:04:05.000Z',
      updated_at: '2026-01-02T03:04:05.000Z',
      current_release: null,
      hostnames: ['web.hop3.test'],
      domains: [],
      default_hostname: 'web.hop3.test',
      env_count: 0,
    });
  });
});

test('apps are listed by name and fetched one by one', async () => {
  await withHarness(async (h) => {
    for (const name of ['zeta', 'alpha', 'mid-1']) assert.equal((await h.request('POST', '/v1/apps', { body: { name } })).status, 201);
    const list = await h.request('GET', '/v1/apps');
    assert.deepEqual((list.json as { apps: Array<{ name: string }> }).apps.map((a) => a.name), ['alpha', 'mid-1', 'zeta']);
    const one = await h.request('GET', '/v1/apps/mid-1');
    assert.equal(one.status, 200);
    assert.equal((one.json as { name: string }).name, 'mid-1');
  });
});

test('creating an app twice is 409 E_APP_EXISTS', async () => {
  await withHarness(async (h) => {
    await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    const r = await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    assert.equal(r.status, 409);
    assert.equal(errorCode(r), 'E_APP_EXISTS');
  });
});

const BAD_NAMES: Array<[unknown, string]> = [
  ['', 'E_INVALID_APP_NAME'],
  ['Web', 'E_INVALID_APP_NAME'],
  ['-web', 'E_INVALID_APP_NAME'],
  ['web-', 'E_INVALID_APP_NAME'],
  ['web_app', 'E_INVALID_APP_NAME'],
  ['web.app', 'E_INVALID_APP_NAME'],
  ['../etc', 'E_INVALID_APP_NAME'],
  ['a'.repeat(64), 'E_INVALID_APP_NAME'],
  [42, 'E_INVALID_APP_NAME'],
  [null, 'E_INVALID_APP_NAME'],
];
for (const [name, code] of BAD_NAMES) {
  test(`creating an app named ${JSON.stringify(name)} is refused with ${code}`, async () => {
    await withHarness(async (h) => {
      const r = await h.request('POST', '/v1/apps', { body: { name } });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), code);
    });
  });
}

const BAD_BODIES: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string]> = [
  ['a missing name', { body: {} }, 400, 'E_INVALID_BODY'],
  ['an unknown field', { body: { name: 'web', region: 'eu' } }, 400, 'E_INVALID_BODY'],
  ['an array body', { body: ['web'] }, 400, 'E_INVALID_BODY'],
  ['broken JSON', { rawBody: '{"name":', headers: { 'content-type': 'application/json' } }, 400, 'E_BAD_JSON'],
  ['an empty body', { rawBody: '', headers: { 'content-type': 'application/json' } }, 400, 'E_BAD_JSON'],
  ['a form body', { rawBody: 'name=web', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  ['no content type', { rawBody: '{"name":"web"}' }, 415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  ['a body over the limit', { body: { name: 'web', pad: 'x'.repeat(5000) } }, 413, 'E_PAYLOAD_TOO_LARGE'],
];
for (const [what, opts, status, code] of BAD_BODIES) {
  test(`POST /v1/apps with ${what} answers ${status} ${code}`, async () => {
    await withHarness(async (h) => {
      const r = await h.request('POST', '/v1/apps', opts);
      assert.equal(r.status, status);
      assert.equal(errorCode(r), code);
      assert.equal((await h.request('GET', '/v1/apps')).text, '{"apps":[]}');
    });
  });
}

test('getting or deleting an unknown app is 404 E_APP_NOT_FOUND, and a bad name in the path is 400', async () => {
  await withHarness(async (h) => {
    assert.equal(errorCode(await h.request('GET', '/v1/apps/nope')), 'E_APP_NOT_FOUND');
    assert.equal(errorCode(await h.request('DELETE', '/v1/apps/nope?confirm=nope')), 'E_APP_NOT_FOUND');
    const bad = await h.request('GET', '/v1/apps/Bad_Name');
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'E_INVALID_APP_NAME');
  });
});

test('deleting an app needs ?confirm=<app>: missing or different confirm is refused and the app stays', async () => {
  await withHarness(async (h) => {
    await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    for (const q of ['', '?confirm=', '?confirm=api', '?confirm=WEB']) {
      const r = await h.request('DELETE', `/v1/apps/web${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(errorCode(r), 'E_CONFIRM_REQUIRED', q);
    }
    assert.equal((await h.request('GET', '/v1/apps/web')).status, 200);
    const r = await h.request('DELETE', '/v1/apps/web?confirm=web');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { deleted: 'web' });
    assert.equal((await h.request('GET', '/v1/apps/web')).status, 404);
  });
});

test('an unknown query parameter or a repeated one is 400 E_INVALID_QUERY', async () => {
  await withHarness(async (h) => {
    await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    assert.equal(errorCode(await h.request('DELETE', '/v1/apps/web?confirm=web&force=1')), 'E_INVALID_QUERY');
    assert.equal(errorCode(await h.request('DELETE', '/v1/apps/web?confirm=web&confirm=web')), 'E_INVALID_QUERY');
    assert.equal((await h.request('GET', '/v1/apps/web')).status, 200);
  });
});

test('the delete hook runs before the rows go, and a failing hook keeps the app', async () => {
  const seen: string[] = [];
  let fail = true;
  const hooks: AppHooks = {
    beforeDelete: async (app) => {
      seen.push(app.name);
      if (fail) throw new Error('vassal would not stop');
    },
    hostnamesChanged: async () => {},
  };
  await withHarness(async (h) => {
    await h.request('POST', '/v1/apps', { body: { name: 'web' } });
    const r = await h.request('DELETE', '/v1/apps/web?confirm=web');
    assert.equal(r.status, 500);
    assert.equal(errorCode(r), 'E_INTERNAL');
    assert.equal((await h.request('GET', '/v1/apps/web')).status, 200);
    fail = false;
    assert.equal((await h.request('DELETE', '/v1/apps/web?confirm=web')).status, 200);
    assert.deepEqual(seen, ['web', 'web']);
  }, hooks);
});
