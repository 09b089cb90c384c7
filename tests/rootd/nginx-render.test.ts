import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { SiteParams } from '../../shared-protocol/ops/nginx.ts';
import { renderDefaultSite, renderSite, type RenderContext } from '../../rootd/ops/nginx-render.ts';

const GOLDEN_DIR = join(import.meta.dirname, 'nginx-golden');
const ctx: RenderContext = { httpPort: 80, httpsPort: 443, ipv6: false, tlsDir: '/etc/hop3/tls' };

/** Compare with tests/rootd/nginx-golden/<name>.conf; UPDATE_GOLDEN=1 rewrites the file (then review the diff). */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, `${name}.conf`);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

const plain: SiteParams = { app: 'shop', hostnames: ['shop.example.com', 'www.shop.example.com'], upstream_ports: [5000] };

test('a plain site proxies every hostname to its one-copy upstream group on loopback', () => {
  golden('plain', renderSite(plain, ctx));
});

test('a scaled site lists one loopback server per copy, in the given order, and retries the next copy on error, timeout or 502', () => {
  const text = renderSite({ ...plain, upstream_ports: [5002, 5000, 5001] }, ctx);
  golden('scaled', text);
  const servers = text.split('\n').filter((l) => l.trimStart().startsWith('server 127.0.0.1:'));
  assert.deepEqual(servers, ['    server 127.0.0.1:5002 max_fails=0;', '    server 127.0.0.1:5000 max_fails=0;', '    server 127.0.0.1:5001 max_fails=0;']);
});

test('the upstream group is named after the app, so apps whose names differ only by dashes get distinct groups', () => {
  const groups = ['my-app', 'myapp', 'my--app', '0'].map((app) => /^upstream (\S+) \{$/m.exec(renderSite({ ...plain, app }, ctx))?.[1]);
  assert.deepEqual(groups, ['hop3_my-app', 'hop3_myapp', 'hop3_my--app', 'hop3_0']);
  assert.match(renderSite({ ...plain, app: 'my-app' }, ctx), /^ {8}proxy_pass http:\/\/hop3_my-app;$/m);
});

test('secondary endpoints keep proxying straight to their own port, outside the upstream group', () => {
  const text = renderSite({ ...plain, endpoints: [{ name: 'admin', port: 9090, subdomain: 'admin' }, { name: 'api', port: 9091, path: '/api/' }] }, ctx);
  assert.equal(text.match(/proxy_pass http:\/\/127\.0\.0\.1:9090;/g)?.length, 1);
  assert.equal(text.match(/proxy_pass http:\/\/127\.0\.0\.1:9091;/g)?.length, 1);
  assert.equal(text.match(/proxy_next_upstream/g)?.length, 1);
});

test('a static root is served by nginx first, without following symlinks, and falls back to the app', () => {
  golden('static', renderSite({ ...plain, static_root: 'public' }, { ...ctx, staticRootPath: '/home/hop3/apps/shop/src/public' }));
});

const staticOnly: SiteParams = { app: 'docs', hostnames: ['docs.example.com'], static_root: 'public' };
const docsRoot = { staticRootPath: '/home/hop3/apps/docs/src/public' };

test('a static-only site serves its root alone: no upstream group, no app fallback, a missing file is 404', () => {
  const text = renderSite(staticOnly, { ...ctx, ...docsRoot });
  golden('static-only', text);
  assert.doesNotMatch(text, /upstream|proxy_|@hop3_upstream|127\.0\.0\.1/);
  assert.match(text, /^ {4}location \/ \{\n {8}try_files \$uri \$uri\/ =404;\n {4}\}$/m);
});

test('a static-only site with a path endpoint proxies that path to its own port and 404s the rest', () => {
  const text = renderSite({ ...staticOnly, endpoints: [{ name: 'api', port: 9091, path: '/api/' }] }, { ...ctx, ...docsRoot });
  assert.doesNotMatch(text, /^upstream |@hop3_upstream|proxy_next_upstream/m);
  assert.equal(text.match(/proxy_pass http:\/\/127\.0\.0\.1:9091;/g)?.length, 1);
  assert.match(text, /proxy_set_header Host \$host;/);
  assert.match(text, /try_files \$uri \$uri\/ =404;/);
});

test('a static-only TLS site serves its root on HTTPS and redirects plain HTTP', () => {
  const text = renderSite({ ...staticOnly, tls: { cert_id: 'docs' } }, { ...ctx, ...docsRoot });
  assert.match(text, /return 301 https:\/\/\$host\$request_uri;/);
  assert.match(text, /listen 443 ssl http2;[\s\S]*root \/home\/hop3\/apps\/docs\/src\/public;[\s\S]*try_files \$uri \$uri\/ =404;/);
  assert.doesNotMatch(text, /^upstream /m);
});

test('a TLS site redirects plain HTTP to HTTPS and serves the certificate pair named by its id', () => {
  golden('tls', renderSite({ ...plain, tls: { cert_id: 'shop-2025' } }, { ...ctx, httpPort: 8080, httpsPort: 8443 }));
});

test('a subdomain endpoint gets its own server for <sub>.<each hostname>, inheriting TLS', () => {
  golden(
    'subdomain',
    renderSite(
      { ...plain, tls: { cert_id: 'shop' }, endpoints: [{ name: 'admin', port: 9090, subdomain: 'admin' }] },
      { ...ctx, ipv6: true },
    ),
  );
});

test('a path endpoint becomes locations ahead of location /, exact and prefix unless the path ends with a slash', () => {
  golden(
    'path',
    renderSite(
      {
        ...plain,
        endpoints: [
          { name: 'admin', port: 9090, path: '/admin' },
          { name: 'api', port: 9091, path: '/api/v1/' },
        ],
      },
      ctx,
    ),
  );
});

test('the default server answers 444 on HTTP and refuses the TLS handshake on HTTPS', () => {
  golden('default', renderDefaultSite({ httpPort: 80, httpsPort: 443, ipv6: true }));
});

test('rendering is deterministic and starts with the marker naming the app', () => {
  const a = renderSite(plain, ctx);
  assert.equal(a, renderSite(structuredClone(plain), ctx));
  assert.equal(a.split('\n')[0], '# hop3-rootd managed: app=shop');
});

// The renderer re-asserts every value even though the schema already constrains it.
const unsafe: Array<[string, SiteParams, Partial<RenderContext>]> = [
  ['a hostname with a semicolon', { ...plain, hostnames: ['a.com;include /etc/shadow'] }, {}],
  ['a hostname with a newline', { ...plain, hostnames: ['a.com\n}'] }, {}],
  ['an app name with a brace', { ...plain, app: 'x{' }, {}],
  ['an upstream port out of range', { ...plain, upstream_ports: [70000] }, {}],
  ['a fractional port', { ...plain, upstream_ports: [5000, 80.5] }, {}],
  ['a port given as a string', { ...plain, upstream_ports: ['5000' as unknown as number] }, {}],
  ['no upstream ports', { ...plain, upstream_ports: [] }, {}],
  ['a port listed twice', { ...plain, upstream_ports: [5000, 5001, 5000] }, {}],
  ['33 upstream ports', { ...plain, upstream_ports: Array.from({ length: 33 }, (_, i) => 5000 + i) }, {}],
  ['upstream ports that are not an array', { ...plain, upstream_ports: 5000 as unknown as number[] }, {}],
  ['an endpoint path with a space', { ...plain, endpoints: [{ name: 'a', port: 1, path: '/a b' }] }, {}],
  ['an endpoint path with a brace', { ...plain, endpoints: [{ name: 'a', port: 1, path: '/a{' }] }, {}],
  ['a subdomain with a dot', { ...plain, endpoints: [{ name: 'a', port: 1, subdomain: 'a.b' }] }, {}],
  ['an endpoint with both subdomain and path', { ...plain, endpoints: [{ name: 'a', port: 1, subdomain: 'a', path: '/a' } as never] }, {}],
  ['a cert id with a slash', { ...plain, tls: { cert_id: '../x' } }, {}],
  ['a tls_dir with a space', { ...plain, tls: { cert_id: 'x' } }, { tlsDir: '/etc/my certs' }],
  ['a static root path with a semicolon', { ...plain, static_root: 'p' }, { staticRootPath: '/apps/x;y' }],
  ['no hostnames', { ...plain, hostnames: [] }, {}],
  ['neither upstream ports nor a static root', { app: 'shop', hostnames: ['shop.example.com'] }, {}],
  ['upstream ports explicitly undefined and no static root', { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: undefined as unknown as number[] }, {}],
];
for (const [what, site, extra] of unsafe) {
  test(`the renderer refuses ${what} with E_NGINX_INVALID_SITE`, () => {
    assert.throws(
      () => renderSite(site, { ...ctx, ...extra }),
      (e: unknown) => e instanceof Hop3Error && e.code === 'E_NGINX_INVALID_SITE',
    );
  });
}
