import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { API_ROUTES, routePath } from '../../shared-protocol/api/index.ts';
import { registerAddonRoutes } from '../../server/routes/addons.ts';
import { registerDeployRoutes } from '../../server/routes/deploys.ts';
import { registerProcessRoutes } from '../../server/routes/processes.ts';
import { errorCode, makeHarness, serveHttp } from './helpers.ts';

/** Valid values for every path parameter, so a 401 is about the token and nothing else. */
const SAMPLE_PARAMS = { app: 'web', hostname: 'www.example.com', id: 'dep-0123456789ab', action: 'restart', name: 'my-db' };
const SAMPLE_BODIES: Record<string, unknown> = {
  'apps.create': { name: 'web' },
  'env.update': { set: { A: '1' } },
  'domains.add': { hostname: 'www.example.com' },
  'domains.set': { hostnames: [] },
};

test('GET /v1/health answers without a token', async () => {
  const h = makeHarness();
  try {
    const r = await h.request('GET', '/v1/health', { token: null });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok', version: '0.0.0-test' });
  } finally {
    h.cleanup();
  }
});

test('every other route answers 401 E_AUTH_REQUIRED without a token, and 401 E_AUTH_INVALID with a wrong one', async () => {
  // The pipeline's and the addons' routes are mounted by server extensions; mount them the same
  // way. Their handlers are never reached: authentication comes first.
  const unused = {} as never;
  const h = makeHarness(
    {
      extraRoutes: (app, mount) => {
        registerDeployRoutes(app, mount, unused);
        registerProcessRoutes(app, mount, { control: unused, pipeline: { db: unused, runtime: unused, log: unused } as never, ensureRuntime: () => {} });
        registerAddonRoutes(app, mount, { addons: unused });
      },
    },
    { burst: 1000, perMinute: 60 },
  );
  try {
    const guarded = API_ROUTES.filter((r) => r.auth);
    assert.ok(guarded.length >= 12);
    assert.deepEqual(API_ROUTES.filter((r) => !r.auth).map((r) => r.name), ['health.get']);
    for (const route of guarded) {
      const path = routePath(route.path, SAMPLE_PARAMS);
      const body = SAMPLE_BODIES[route.name];
      const none = await h.request(route.method, path, { token: null, body });
      assert.equal(none.status, 401, `${route.name} without token`);
      assert.equal(errorCode(none), 'E_AUTH_REQUIRED', route.name);
      const wrong = await h.request(route.method, path, { token: `hop3_${'A'.repeat(43)}`, body });
      assert.equal(wrong.status, 401, `${route.name} with a wrong token`);
      assert.equal(errorCode(wrong), 'E_AUTH_INVALID', route.name);
    }
  } finally {
    h.cleanup();
  }
});

const BAD_HEADERS: Array<[string, string, string]> = [
  ['a Basic scheme', 'Basic dXNlcjpwYXNz', 'E_AUTH_INVALID'],
  ['a bearer with two tokens', 'Bearer a b', 'E_AUTH_INVALID'],
  ['a bearer without a token', 'Bearer', 'E_AUTH_INVALID'],
  ['a token without the hop3_ prefix', `Bearer ${'A'.repeat(48)}`, 'E_AUTH_INVALID'],
  ['an empty header', '', 'E_AUTH_REQUIRED'],
];
for (const [what, header, code] of BAD_HEADERS) {
  test(`an Authorization header with ${what} is refused with ${code}`, async () => {
    const h = makeHarness();
    try {
      const r = await h.request('GET', '/v1/apps', { token: null, headers: { authorization: header } });
      assert.equal(r.status, 401);
      assert.equal(errorCode(r), code);
    } finally {
      h.cleanup();
    }
  });
}

test('a valid token authenticates, the bearer scheme is case-insensitive, and whoami names the token', async () => {
  const h = makeHarness();
  try {
    const r = await h.request('GET', '/v1/whoami', { token: null, headers: { authorization: `bearer ${h.token}` } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { token: { id: 1, name: 'test', prefix: h.token.slice(0, 9) } });
  } finally {
    h.cleanup();
  }
});

test('a revoked token is refused on the next request', async () => {
  const h = makeHarness();
  try {
    assert.equal((await h.request('GET', '/v1/apps')).status, 200);
    h.tokens.revoke('test');
    const r = await h.request('GET', '/v1/apps');
    assert.equal(r.status, 401);
    assert.equal(errorCode(r), 'E_AUTH_INVALID');
  } finally {
    h.cleanup();
  }
});

function get(url: string, headers: Record<string, string>, localAddress: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('failed authentications are rate-limited per client address: 429 with Retry-After, other addresses unaffected, recovery after the wait', async () => {
  const h = makeHarness({}, { burst: 3, perMinute: 6 });
  const srv = await serveHttp(h.app);
  try {
    const url = `${srv.url}/v1/apps`;
    const bad = { authorization: `Bearer hop3_${'B'.repeat(43)}` };
    const good = { authorization: `Bearer ${h.token}` };
    // A missing token is not a guess: it does not count.
    for (let i = 0; i < 5; i++) assert.equal((await get(url, {}, '127.0.0.1')).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await get(url, bad, '127.0.0.1')).status, 401, `failure ${i + 1}`);
    const limited = await get(url, bad, '127.0.0.1');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '10');
    assert.equal((JSON.parse(limited.body) as { error: { code: string } }).error.code, 'E_RATE_LIMITED');
    // While limited, the address gets 429 before its token is even looked at.
    assert.equal((await get(url, good, '127.0.0.1')).status, 429);
    // Another loopback address is not affected.
    assert.equal((await get(url, good, '127.0.0.2')).status, 200);
    h.clock.advance(10_000);
    assert.equal((await get(url, good, '127.0.0.1')).status, 200);
    assert.ok(h.log.lines.some((l) => l['msg'] === 'authentication failed' && l['client'] === '127.0.0.1'));
    assert.equal(h.log.lines.some((l) => JSON.stringify(l).includes(h.token)), false, 'the log never holds a token');
  } finally {
    await srv.close();
    h.cleanup();
  }
});
