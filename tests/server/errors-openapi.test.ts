import { registerAddonRoutes } from '../../server/routes/addons.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { defineRoute, NoParams, NoQuery } from '../../shared-protocol/api/define.ts';
import { API_ERRORS } from '../../shared-protocol/api/errors.ts';
import { API_ROUTES } from '../../shared-protocol/api/index.ts';
import { openApiPath } from '../../shared-protocol/api/openapi.ts';
import { registerDeployRoutes } from '../../server/routes/deploys.ts';
import { registerProcessRoutes } from '../../server/routes/processes.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { ROOTD_ERRORS } from '../../shared-protocol/ops/index.ts';
import { STATUS_BY_CODE, statusFor } from '../../server/errors.ts';
import { mountRoute } from '../../server/http/mount.ts';
import { errorCode, makeHarness } from './helpers.ts';

test('every API error code has exactly one status, and every route error code is a known code', () => {
  assert.deepEqual(Object.keys(STATUS_BY_CODE).sort(), Object.keys(API_ERRORS).sort());
  for (const route of API_ROUTES) {
    for (const code of route.errors) assert.ok(code in API_ERRORS, `${route.name} declares unknown ${code}`);
  }
});

test('codes propagated from rootd answer 502 (bad gateway) unless the API table names them, and unknown codes 500', () => {
  assert.equal(statusFor('E_NGINX_TEST_FAILED' in ROOTD_ERRORS ? 'E_NGINX_TEST_FAILED' : 'E_EXEC_FAILED'), 502);
  assert.equal(statusFor('E_ROOTD_UNAVAILABLE'), 503);
  assert.equal(statusFor('E_ROOTD_TIMEOUT'), 504);
  assert.equal(statusFor('E_SOMETHING_NEW'), 500);
});

test('an unknown route is a JSON 404 E_ROUTE_NOT_FOUND, with a request id header', async () => {
  const h = makeHarness();
  try {
    const r = await h.request('GET', '/v1/nothing-here');
    assert.equal(r.status, 404);
    assert.equal(errorCode(r), 'E_ROUTE_NOT_FOUND');
    assert.match(r.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{16}$/);
  } finally {
    h.cleanup();
  }
});

test('an unexpected error answers 500 E_INTERNAL with the request id, logs the details, and sends none of them', async () => {
  const h = makeHarness({
    extraRoutes: (app, mount) => {
      mountRoute(
        app,
        defineRoute({ name: 'test.boom', method: 'GET', path: '/v1/test/boom', summary: 'throws', auth: true, params: NoParams, query: NoQuery, body: undefined, response: Type.Object({}), status: 200, errors: [] }),
        mount,
        () => {
          throw new Error('disk on fire at sector 7');
        },
      );
    },
  });
  try {
    const r = await h.request('GET', '/v1/test/boom');
    assert.equal(r.status, 500);
    const body = r.json as { error: { code: string; message: string; hint: string; request_id: string } };
    assert.equal(body.error.code, 'E_INTERNAL');
    assert.equal(body.error.request_id, r.headers.get('x-request-id'));
    assert.ok(body.error.message.includes(body.error.request_id));
    assert.equal(r.text.includes('sector 7'), false);
    const logged = h.log.lines.find((l) => l['msg'] === 'unexpected error');
    assert.equal(logged?.['request_id'], body.error.request_id);
    assert.match(JSON.stringify(logged?.['err']), /sector 7/);
  } finally {
    h.cleanup();
  }
});

test('a Hop3Error thrown by a handler keeps its code, message and hint, with the status from the table', async () => {
  const h = makeHarness({
    extraRoutes: (app, mount) => {
      mountRoute(
        app,
        defineRoute({ name: 'test.rootd', method: 'GET', path: '/v1/test/rootd', summary: 'rootd down', auth: true, params: NoParams, query: NoQuery, body: undefined, response: Type.Object({}), status: 200, errors: [] }),
        mount,
        () => {
          throw new Hop3Error('E_ROOTD_UNAVAILABLE', 'hop3-rootd socket /run/x.sock does not exist', { hint: 'Start hop3-rootd.' });
        },
      );
    },
  });
  try {
    const r = await h.request('GET', '/v1/test/rootd');
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, { error: { code: 'E_ROOTD_UNAVAILABLE', message: 'hop3-rootd socket /run/x.sock does not exist', hint: 'Start hop3-rootd.' } });
  } finally {
    h.cleanup();
  }
});

test('a handler answer outside its response schema is caught as E_INTERNAL, never sent', async () => {
  const h = makeHarness({
    extraRoutes: (app, mount) => {
      const route = defineRoute({ name: 'test.shape', method: 'GET', path: '/v1/test/shape', summary: 'bad shape', auth: true, params: NoParams, query: NoQuery, body: undefined, response: Type.Object({ n: Type.Integer() }, { additionalProperties: false }), status: 200, errors: [] });
      mountRoute(app, route, mount, () => ({ n: 1, secret: 'x' }) as unknown as { n: number });
    },
  });
  try {
    const r = await h.request('GET', '/v1/test/shape');
    assert.equal(errorCode(r), 'E_INTERNAL');
    assert.ok(h.log.lines.some((l) => l['msg'] === 'response does not match its schema' && l['route'] === 'test.shape'));
  } finally {
    h.cleanup();
  }
});

test('GET /v1/openapi.json documents exactly the mounted routes, with schemas, and requires a token', async () => {
  // The deploy pipeline's routes are mounted by its server extension; mount them the same way (handlers unused here).
  const unused = {} as never;
  const h = makeHarness({
    extraRoutes: (app, mount) => {
      registerDeployRoutes(app, mount, unused);
      registerProcessRoutes(app, mount, { control: unused, pipeline: { db: unused, runtime: unused, log: unused } as never, ensureRuntime: () => {} });
      registerAddonRoutes(app, mount, { addons: unused });
    },
  });
  try {
    assert.equal((await h.request('GET', '/v1/openapi.json', { token: null })).status, 401);
    const r = await h.request('GET', '/v1/openapi.json');
    assert.equal(r.status, 200);
    const doc = r.json as { openapi: string; paths: Record<string, Record<string, { operationId: string; security: unknown[]; requestBody?: unknown }>> };
    assert.equal(doc.openapi, '3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    const mounted = [...new Set(h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`))].sort();
    assert.deepEqual(documented, mounted);
    assert.deepEqual(mounted, API_ROUTES.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
    for (const route of API_ROUTES) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      assert.equal(op?.operationId, route.name);
      assert.equal(op.security.length, route.auth ? 1 : 0, route.name);
      assert.equal(op.requestBody !== undefined, route.body !== undefined || route.rawBody !== undefined, route.name);
    }
  } finally {
    h.cleanup();
  }
});
