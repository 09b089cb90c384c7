import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { emptyState, parseState } from '../../rootd/state.ts';
import { validateSite } from '../../rootd/ops/nginx-validate.ts';
import { fakeExec, makeNginxEnv, type NginxEnv } from './nginx-harness.ts';

async function withEnv(fn: (env: NginxEnv, exec: ReturnType<typeof fakeExec>) => Promise<void>): Promise<void> {
  const exec = fakeExec();
  const env = makeNginxEnv({ exec });
  try {
    await fn(env, exec);
  } finally {
    env.cleanup();
  }
}

const good = { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [5000] };
const long63 = 'a'.repeat(63);

// Every bad input is refused before any file or nginx is touched, with its code.
const bad: Array<[string, Record<string, unknown>, string]> = [
  ['an uppercase hostname', { ...good, hostnames: ['Shop.example.com'] }, 'E_INVALID_PARAMS'],
  ['a hostname with an underscore', { ...good, hostnames: ['my_shop.example.com'] }, 'E_INVALID_PARAMS'],
  ['a hostname with a trailing dot', { ...good, hostnames: ['shop.example.com.'] }, 'E_INVALID_PARAMS'],
  ['a hostname label of 64 chars', { ...good, hostnames: [`${long63}a.example.com`] }, 'E_INVALID_PARAMS'],
  ['a hostname over 253 chars', { ...good, hostnames: [`${long63}.${long63}.${long63}.${long63}.com`] }, 'E_INVALID_PARAMS'],
  ['a hostname with a leading dash', { ...good, hostnames: ['-shop.example.com'] }, 'E_INVALID_PARAMS'],
  ['a hostname with a space', { ...good, hostnames: ['shop example.com'] }, 'E_INVALID_PARAMS'],
  ['a wildcard hostname', { ...good, hostnames: ['*.example.com'] }, 'E_INVALID_PARAMS'],
  ['an empty hostname list', { ...good, hostnames: [] }, 'E_INVALID_PARAMS'],
  ['duplicate hostnames', { ...good, hostnames: ['a.example.com', 'a.example.com'] }, 'E_INVALID_PARAMS'],
  ['51 hostnames', { ...good, hostnames: Array.from({ length: 51 }, (_, i) => `h${i}.example.com`) }, 'E_INVALID_PARAMS'],
  ['upstream port 0', { ...good, upstream_ports: [0] }, 'E_INVALID_PARAMS'],
  ['upstream port 65536', { ...good, upstream_ports: [5000, 65536] }, 'E_INVALID_PARAMS'],
  ['a string upstream port', { ...good, upstream_ports: ['5000'] }, 'E_INVALID_PARAMS'],
  ['a fractional upstream port', { ...good, upstream_ports: [5000.5] }, 'E_INVALID_PARAMS'],
  ['a bare upstream port instead of a list', { ...good, upstream_ports: 5000 }, 'E_INVALID_PARAMS'],
  ['an empty upstream port list', { ...good, upstream_ports: [] }, 'E_INVALID_PARAMS'],
  ['an upstream port listed twice', { ...good, upstream_ports: [5000, 5001, 5000] }, 'E_INVALID_PARAMS'],
  ['33 upstream ports', { ...good, upstream_ports: Array.from({ length: 33 }, (_, i) => 5000 + i) }, 'E_INVALID_PARAMS'],
  ['the old single upstream_port field', { app: 'shop', hostnames: ['shop.example.com'], upstream_port: 5000 }, 'E_INVALID_PARAMS'],
  ['upstream_port next to upstream_ports', { ...good, upstream_port: 5000 }, 'E_INVALID_PARAMS'],
  ['no upstream ports and no static root', { app: 'shop', hostnames: ['shop.example.com'] }, 'E_NGINX_INVALID_SITE'],
  ['only a certificate: no upstream ports and no static root', { app: 'shop', hostnames: ['shop.example.com'], tls: { cert_id: 'shop' } }, 'E_NGINX_INVALID_SITE'],
  ['only endpoints: no upstream ports and no static root', { app: 'shop', hostnames: ['shop.example.com'], endpoints: [{ name: 'api', port: 9000, path: '/api' }] }, 'E_NGINX_INVALID_SITE'],
  ['a static-only site with an empty upstream port list', { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public', upstream_ports: [] }, 'E_INVALID_PARAMS'],
  ['a static-only site with an invalid static root', { app: 'shop', hostnames: ['shop.example.com'], static_root: '../public' }, 'E_INVALID_PARAMS'],
  ['an invalid app name', { ...good, app: 'Shop' }, 'E_INVALID_PARAMS'],
  ['an unknown field', { ...good, nginx_extra: 'return 200;' }, 'E_INVALID_PARAMS'],
  ['an endpoint with both subdomain and path', { ...good, endpoints: [{ name: 'a', port: 9000, subdomain: 'a', path: '/a' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint with neither subdomain nor path', { ...good, endpoints: [{ name: 'a', port: 9000 }] }, 'E_INVALID_PARAMS'],
  ['an endpoint port 0', { ...good, endpoints: [{ name: 'a', port: 0, path: '/a' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint port 65536', { ...good, endpoints: [{ name: 'a', port: 65536, path: '/a' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path not starting with /', { ...good, endpoints: [{ name: 'a', port: 9000, path: 'admin' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path of just /', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with a space', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/ad min' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with a brace', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a{b' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with a semicolon', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a;return' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with a dollar', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/$host' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with ..', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a/../b' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint path with //', { ...good, endpoints: [{ name: 'a', port: 9000, path: '//a' }] }, 'E_INVALID_PARAMS'],
  ['a subdomain with a dot', { ...good, endpoints: [{ name: 'a', port: 9000, subdomain: 'a.b' }] }, 'E_INVALID_PARAMS'],
  ['an uppercase subdomain', { ...good, endpoints: [{ name: 'a', port: 9000, subdomain: 'Admin' }] }, 'E_INVALID_PARAMS'],
  ['an endpoint name with a space', { ...good, endpoints: [{ name: 'a b', port: 9000, path: '/a' }] }, 'E_INVALID_PARAMS'],
  ['17 endpoints', { ...good, endpoints: Array.from({ length: 17 }, (_, i) => ({ name: `e${i}`, port: 9000 + i, path: `/e${i}` })) }, 'E_INVALID_PARAMS'],
  ['an uppercase cert id', { ...good, tls: { cert_id: 'Shop' } }, 'E_INVALID_PARAMS'],
  ['a cert id with a slash', { ...good, tls: { cert_id: 'a/b' } }, 'E_INVALID_PARAMS'],
  ['a cert id starting with a dot', { ...good, tls: { cert_id: '..' } }, 'E_INVALID_PARAMS'],
  ['an empty cert id', { ...good, tls: { cert_id: '' } }, 'E_INVALID_PARAMS'],
  ['a cert id of 129 chars', { ...good, tls: { cert_id: 'a'.repeat(129) } }, 'E_INVALID_PARAMS'],
  ['cert file contents instead of an id', { ...good, tls: { cert_id: 'x', pem: '-----BEGIN' } }, 'E_INVALID_PARAMS'],
  ['an absolute static root', { ...good, static_root: '/etc' }, 'E_INVALID_PARAMS'],
  ['a static root with ..', { ...good, static_root: 'public/../..' }, 'E_INVALID_PARAMS'],
  ['a static root with a space', { ...good, static_root: 'my public' }, 'E_INVALID_PARAMS'],
  ['a static root with a semicolon', { ...good, static_root: 'p;q' }, 'E_INVALID_PARAMS'],
  ['two endpoints with the same name', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a' }, { name: 'a', port: 9001, path: '/b' }] }, 'E_NGINX_INVALID_SITE'],
  ['two endpoints with the same path', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a' }, { name: 'b', port: 9001, path: '/a/' }] }, 'E_NGINX_INVALID_SITE'],
  ['two endpoints with the same subdomain', { ...good, endpoints: [{ name: 'a', port: 9000, subdomain: 'x' }, { name: 'b', port: 9001, subdomain: 'x' }] }, 'E_NGINX_INVALID_SITE'],
  ['a subdomain name equal to a hostname', { ...good, hostnames: ['example.com', 'admin.example.com'], endpoints: [{ name: 'a', port: 9000, subdomain: 'admin' }] }, 'E_NGINX_INVALID_SITE'],
  ['a subdomain name over 253 chars', { ...good, hostnames: [`${long63}.${long63}.${long63}.${'a'.repeat(60)}`], endpoints: [{ name: 'a', port: 9000, subdomain: 'admin' }] }, 'E_NGINX_INVALID_SITE'],
  ['a cert id without files', { ...good, tls: { cert_id: 'nope' } }, 'E_TLS_CERT_MISSING'],
];

for (const [what, params, code] of bad) {
  test(`nginx.apply_site refuses ${what} with ${code}, touching neither files nor nginx`, async () => {
    await withEnv(async (env, exec) => {
      const r = await env.call('nginx.apply_site', params);
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(!r.ok && r.code, code, !r.ok ? r.message : '');
      assert.equal(exec.calls.length, 0);
      assert.deepEqual(env.state.current.nginx.sites, {});
    });
  });
}

// The rule the schema cannot say: something must serve the site (validateSite directly, no handler).
const serveRule: Array<[string, Record<string, unknown>, string | null]> = [
  ['upstream ports only', { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [5000] }, null],
  ['a static root only', { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public' }, null],
  ['both', { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [5000], static_root: 'public' }, null],
  ['a static root, a certificate and an endpoint', { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public', tls: { cert_id: 'shop' }, endpoints: [{ name: 'api', port: 9000, path: '/api' }] }, null],
  ['neither', { app: 'shop', hostnames: ['shop.example.com'] }, 'E_NGINX_INVALID_SITE'],
  ['neither, with a certificate', { app: 'shop', hostnames: ['shop.example.com'], tls: { cert_id: 'shop' } }, 'E_NGINX_INVALID_SITE'],
  ['neither, with a subdomain endpoint', { app: 'shop', hostnames: ['shop.example.com'], endpoints: [{ name: 'a', port: 9000, subdomain: 'admin' }] }, 'E_NGINX_INVALID_SITE'],
  ['neither, with both set to undefined', { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: undefined, static_root: undefined }, 'E_NGINX_INVALID_SITE'],
  ['an empty upstream port list beside a static root', { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [], static_root: 'public' }, 'E_INVALID_PARAMS'],
];
for (const [what, site, code] of serveRule) {
  test(`validateSite ${code === null ? 'accepts' : `refuses with ${code}`} a site with ${what}`, () => {
    if (code === null) {
      assert.doesNotThrow(() => validateSite(site));
      return;
    }
    assert.throws(
      () => validateSite(site),
      (e: unknown) => e instanceof Hop3Error && e.code === code && (code !== 'E_NGINX_INVALID_SITE' || /neither static_root nor upstream_ports/.test(e.message)),
    );
  });
}

test('a static-only site is applied and recorded without upstream_ports', async () => {
  await withEnv(async (env) => {
    mkdirSync(join(env.config.app_root, 'shop', 'src', 'public'), { recursive: true });
    const r = await env.call('nginx.apply_site', { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public' });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(env.state.current.nginx.sites['shop'], { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public' });
    const file = readFileSync(join(env.config.nginx.site_dir, 'shop.conf'), 'utf8');
    assert.match(file, /try_files \$uri \$uri\/ =404;/);
    assert.doesNotMatch(file, /upstream/);
  });
});

test('a site moves from upstream ports to static-only and back, and state follows', async () => {
  await withEnv(async (env) => {
    mkdirSync(join(env.config.app_root, 'shop', 'src', 'public'), { recursive: true });
    assert.equal((await env.call('nginx.apply_site', { ...good, static_root: 'public' })).ok, true);
    assert.equal((await env.call('nginx.apply_site', { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public' })).ok, true);
    assert.equal(env.state.current.nginx.sites['shop']?.upstream_ports, undefined);
    assert.equal((await env.call('nginx.apply_site', good)).ok, true);
    assert.deepEqual(env.state.current.nginx.sites['shop'], good);
  });
});

test('a state file with a static-only site loads', () => {
  const site = { app: 'shop', hostnames: ['shop.example.com'], static_root: 'public' };
  const text = JSON.stringify({ ...emptyState(), nginx: { sites: { shop: site } } });
  assert.deepEqual(parseState(text, '/s').nginx.sites['shop'], site);
});

test('a valid site passes the same checks (the table above is not refusing everything)', async () => {
  await withEnv(async (env) => {
    const r = await env.call('nginx.apply_site', { ...good, endpoints: [{ name: 'a', port: 9000, path: '/a' }, { name: 'b', port: 9001, subdomain: 'b' }] });
    assert.equal(r.ok, true, JSON.stringify(r));
  });
});

test('a hostname served by another app is refused with E_HOSTNAME_CLAIMED', async () => {
  await withEnv(async (env, exec) => {
    assert.equal((await env.call('nginx.apply_site', good)).ok, true);
    const calls = exec.calls.length;
    const r = await env.call('nginx.apply_site', { app: 'other', hostnames: ['x.example.com', 'shop.example.com'], upstream_ports: [5001] });
    assert.equal(!r.ok && r.code, 'E_HOSTNAME_CLAIMED');
    assert.equal(exec.calls.length, calls);
    assert.deepEqual(Object.keys(env.state.current.nginx.sites), ['shop']);
  });
});

test('a subdomain endpoint name served by another app is refused with E_HOSTNAME_CLAIMED', async () => {
  await withEnv(async (env) => {
    assert.equal((await env.call('nginx.apply_site', { ...good, hostnames: ['admin.example.com'] })).ok, true);
    const r = await env.call('nginx.apply_site', { app: 'other', hostnames: ['example.com'], upstream_ports: [5001], endpoints: [{ name: 'a', port: 9000, subdomain: 'admin' }] });
    assert.equal(!r.ok && r.code, 'E_HOSTNAME_CLAIMED');
  });
});

test('an app may re-apply its own hostnames', async () => {
  await withEnv(async (env) => {
    assert.equal((await env.call('nginx.apply_site', good)).ok, true);
    assert.equal((await env.call('nginx.apply_site', { ...good, upstream_ports: [5002] })).ok, true);
    assert.deepEqual(env.state.current.nginx.sites['shop']?.upstream_ports, [5002]);
  });
});

test('32 upstream ports are accepted and kept in the order given', async () => {
  await withEnv(async (env) => {
    const ports = Array.from({ length: 32 }, (_, i) => 5031 - i);
    assert.equal((await env.call('nginx.apply_site', { ...good, upstream_ports: ports })).ok, true);
    assert.deepEqual(env.state.current.nginx.sites['shop']?.upstream_ports, ports);
  });
});

test('a state file whose site still has the single upstream_port is refused with E_STATE, not guessed at', () => {
  const withSite = (site: Record<string, unknown>): string => JSON.stringify({ ...emptyState(), nginx: { sites: { shop: site } } });
  assert.deepEqual(parseState(withSite(good), '/s').nginx.sites['shop']?.upstream_ports, [5000]);
  assert.throws(
    () => parseState(withSite({ app: 'shop', hostnames: ['shop.example.com'], upstream_port: 5000 }), '/s'),
    (e: unknown) => e instanceof Hop3Error && e.code === 'E_STATE' && /nginx\/sites\/shop/.test(e.message),
  );
});

test('a static root through a symlink in the app tree is refused with E_PATH_SYMLINK', async () => {
  await withEnv(async (env, exec) => {
    mkdirSync(join(env.config.app_root, 'shop', 'src'), { recursive: true });
    symlinkSync('/etc', join(env.config.app_root, 'shop', 'src', 'public'));
    const r = await env.call('nginx.apply_site', { ...good, static_root: 'public/css' });
    assert.equal(!r.ok && r.code, 'E_PATH_SYMLINK');
    assert.equal(exec.calls.length, 0);
  });
});

test('a certificate pair where the key is missing is refused with E_TLS_CERT_MISSING', async () => {
  await withEnv(async (env) => {
    writeFileSync(join(env.config.nginx.tls_dir, 'half.crt'), 'x');
    const r = await env.call('nginx.apply_site', { ...good, tls: { cert_id: 'half' } });
    assert.equal(!r.ok && r.code, 'E_TLS_CERT_MISSING');
  });
});

test('a certificate file that is a symlink is refused with E_PATH_SYMLINK', async () => {
  await withEnv(async (env) => {
    writeFileSync(join(env.dir, 'real.crt'), 'x');
    symlinkSync(join(env.dir, 'real.crt'), join(env.config.nginx.tls_dir, 'ln.crt'));
    writeFileSync(join(env.config.nginx.tls_dir, 'ln.key'), 'x');
    const r = await env.call('nginx.apply_site', { ...good, tls: { cert_id: 'ln' } });
    assert.equal(!r.ok && r.code, 'E_PATH_SYMLINK');
  });
});

const badRemove: Array<[string, Record<string, unknown>]> = [
  ['an uppercase app', { app: 'Shop' }],
  ['a path as app', { app: '../etc' }],
  ['an extra field', { app: 'shop', file: '/etc/nginx/nginx.conf' }],
  ['no app', {}],
];
for (const [what, params] of badRemove) {
  test(`nginx.remove_site refuses ${what} with E_INVALID_PARAMS`, async () => {
    await withEnv(async (env) => {
      const r = await env.call('nginx.remove_site', params);
      assert.equal(!r.ok && r.code, 'E_INVALID_PARAMS');
    });
  });
}
