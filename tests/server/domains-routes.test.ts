import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostnameProblem, type HostnameProblem } from '../../shared-protocol/api/hostname.ts';
import type { AppHooks } from '../../server/services/hooks.ts';
import { errorCode, makeHarness, type Harness } from './helpers.ts';

interface DomainListJson {
  app: string;
  domains: string[];
  default_hostname: string;
  hostnames: string[];
}

const GOOD = ['example.com', 'www.example.com', 'a.b.c.d.e', 'xn--bcher-kva.example', 'localhost', '1password.com', 'a-b.c0', `${'a'.repeat(63)}.com`];
for (const name of GOOD) {
  test(`${name} is a valid host name`, () => assert.equal(hostnameProblem(name), null));
}

const BAD: Array<[string, HostnameProblem]> = [
  ['', 'empty'],
  [`${'a.'.repeat(126)}ab`, 'too_long'],
  ['Example.com', 'uppercase'],
  ['bücher.example', 'non_ascii'],
  ['*.example.com', 'wildcard'],
  ['example.com.', 'trailing_dot'],
  ['.example.com', 'empty_label'],
  ['a..b', 'empty_label'],
  [`${'a'.repeat(64)}.com`, 'label_too_long'],
  ['under_score.com', 'bad_character'],
  ['sp ace.com', 'bad_character'],
  ['exa$mple.com', 'bad_character'],
  ['-a.com', 'dash_at_edge'],
  ['a-.com', 'dash_at_edge'],
  ['10.0.0.1', 'ip_address'],
  ['::1', 'bad_character'],
  ['example.com:80', 'bad_character'],
  ['a/b.com', 'bad_character'],
];
for (const [name, problem] of BAD) {
  test(`${JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)} is refused as ${problem}`, () => assert.equal(hostnameProblem(name), problem));
}

async function withApps(fn: (h: Harness, changes: Array<[string, readonly string[]]>) => Promise<void>): Promise<void> {
  const changes: Array<[string, readonly string[]]> = [];
  const hooks: AppHooks = { beforeDelete: async () => {}, hostnamesChanged: async (app, hs) => void changes.push([app.name, hs]) };
  const h = makeHarness({ hooks });
  try {
    for (const name of ['web', 'api']) assert.equal((await h.request('POST', '/v1/apps', { body: { name } })).status, 201);
    await fn(h, changes);
  } finally {
    h.cleanup();
  }
}

test('an app without domains routes its default host name; adding domains replaces it, clearing brings it back', async () => {
  await withApps(async (h, changes) => {
    const empty = (await h.request('GET', '/v1/apps/web/domains')).json as DomainListJson;
    assert.deepEqual(empty, { app: 'web', domains: [], default_hostname: 'web.hop3.test', hostnames: ['web.hop3.test'] });
    await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'www.example.com' } });
    const two = (await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'example.com' } })).json as DomainListJson;
    assert.deepEqual(two.hostnames, ['example.com', 'www.example.com']);
    const cleared = (await h.request('DELETE', '/v1/apps/web/domains')).json as DomainListJson;
    assert.deepEqual(cleared.hostnames, ['web.hop3.test']);
    assert.deepEqual(changes, [
      ['web', ['www.example.com']],
      ['web', ['example.com', 'www.example.com']],
      ['web', ['web.hop3.test']],
    ]);
  });
});

test('adding a domain the app already has changes nothing and fires no hook', async () => {
  await withApps(async (h, changes) => {
    await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'example.com' } });
    const again = await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'example.com' } });
    assert.equal(again.status, 200);
    assert.deepEqual((again.json as DomainListJson).domains, ['example.com']);
    assert.equal(changes.length, 1);
  });
});

test('set replaces all domains (deduplicated), and set [] clears them', async () => {
  await withApps(async (h) => {
    await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'old.example.com' } });
    const set = (await h.request('PUT', '/v1/apps/web/domains', { body: { hostnames: ['b.example.com', 'a.example.com', 'b.example.com'] } })).json as DomainListJson;
    assert.deepEqual(set.domains, ['a.example.com', 'b.example.com']);
    const none = (await h.request('PUT', '/v1/apps/web/domains', { body: { hostnames: [] } })).json as DomainListJson;
    assert.deepEqual(none.domains, []);
  });
});

test('removing a domain answers the remaining list; removing one the app lacks is 404 E_DOMAIN_NOT_FOUND', async () => {
  await withApps(async (h) => {
    await h.request('PUT', '/v1/apps/web/domains', { body: { hostnames: ['a.example.com', 'b.example.com'] } });
    const r = await h.request('DELETE', '/v1/apps/web/domains/a.example.com');
    assert.deepEqual((r.json as DomainListJson).domains, ['b.example.com']);
    const missing = await h.request('DELETE', '/v1/apps/web/domains/a.example.com');
    assert.equal(missing.status, 404);
    assert.equal(errorCode(missing), 'E_DOMAIN_NOT_FOUND');
  });
});

test("a host name belongs to one app: another app's domain or default host name is 409 E_DOMAIN_TAKEN", async () => {
  await withApps(async (h) => {
    await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'shop.example.com' } });
    for (const [method, body] of [
      ['POST', { hostname: 'shop.example.com' }],
      ['POST', { hostname: 'web.hop3.test' }],
      ['PUT', { hostnames: ['ok.example.com', 'shop.example.com'] }],
    ] as const) {
      const r = await h.request(method, '/v1/apps/api/domains', { body });
      assert.equal(r.status, 409, JSON.stringify(body));
      assert.equal(errorCode(r), 'E_DOMAIN_TAKEN');
    }
    assert.deepEqual(((await h.request('GET', '/v1/apps/api/domains')).json as DomainListJson).domains, []);
    // Its own default host name, and a name under the server domain that no app has, are fine.
    assert.equal((await h.request('POST', '/v1/apps/api/domains', { body: { hostname: 'api.hop3.test' } })).status, 200);
    assert.equal((await h.request('POST', '/v1/apps/api/domains', { body: { hostname: 'nobody.hop3.test' } })).status, 200);
    // A new app whose default host name is already someone's domain is refused.
    const clash = await h.request('POST', '/v1/apps', { body: { name: 'nobody' } });
    assert.equal(clash.status, 409);
    assert.equal(errorCode(clash), 'E_DOMAIN_TAKEN');
  });
});

const BAD_REQUESTS: Array<[string, string, unknown, string]> = [
  ['add an uppercase host name', 'POST', { hostname: 'Example.com' }, 'E_INVALID_HOSTNAME'],
  ['add a wildcard', 'POST', { hostname: '*.example.com' }, 'E_INVALID_HOSTNAME'],
  ['add an IP address', 'POST', { hostname: '192.168.0.1' }, 'E_INVALID_HOSTNAME'],
  ['add an empty host name', 'POST', { hostname: '' }, 'E_INVALID_HOSTNAME'],
  ['add a host name with a port', 'POST', { hostname: 'example.com:8080' }, 'E_INVALID_HOSTNAME'],
  ['add a number', 'POST', { hostname: 7 }, 'E_INVALID_HOSTNAME'],
  ['add without a hostname field', 'POST', {}, 'E_INVALID_BODY'],
  ['set one bad name among good ones', 'PUT', { hostnames: ['ok.example.com', 'bad_name.com'] }, 'E_INVALID_HOSTNAME'],
  ['set a string instead of a list', 'PUT', { hostnames: 'example.com' }, 'E_INVALID_BODY'],
];
for (const [what, method, body, code] of BAD_REQUESTS) {
  test(`a request to ${what} is refused with ${code} and changes nothing`, async () => {
    await withApps(async (h) => {
      await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'keep.example.com' } });
      const r = await h.request(method, '/v1/apps/web/domains', { body });
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), code);
      assert.deepEqual(((await h.request('GET', '/v1/apps/web/domains')).json as DomainListJson).domains, ['keep.example.com']);
    });
  });
}

test('domains of an unknown app are 404, and removing an invalid host name is 400', async () => {
  await withApps(async (h) => {
    assert.equal(errorCode(await h.request('GET', '/v1/apps/nope/domains')), 'E_APP_NOT_FOUND');
    assert.equal(errorCode(await h.request('DELETE', '/v1/apps/web/domains/Bad_Host')), 'E_INVALID_HOSTNAME');
  });
});

test("deleting an app frees its domains for another app", async () => {
  await withApps(async (h) => {
    await h.request('POST', '/v1/apps/web/domains', { body: { hostname: 'shop.example.com' } });
    await h.request('DELETE', '/v1/apps/web?confirm=web');
    assert.equal((await h.request('POST', '/v1/apps/api/domains', { body: { hostname: 'shop.example.com' } })).status, 200);
  });
});
