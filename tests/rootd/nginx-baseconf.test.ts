/**
 * The base config an operator installs (deploy/nginx/nginx.conf) is valid
 * nginx together with what rootd writes into its site dir: checked with the
 * real `nginx -t`, its host paths (pid, logs, site dir) moved to a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDefaultSite, renderSite } from '../../rootd/ops/nginx-render.ts';
import { NGINX_BIN } from './nginx-harness.ts';

const BASE = join(import.meta.dirname, '..', '..', 'deploy', 'nginx', 'nginx.conf');

test('the shipped base nginx.conf includes the rootd site dir inside http{} and passes nginx -t with rootd-rendered sites, scaled and dashed', () => {
  const text = readFileSync(BASE, 'utf8');
  assert.match(text, /http \{[\s\S]*include \/etc\/nginx\/hop3-sites\/\*\.conf;[\s\S]*\}/);
  assert.match(text, /^pid \/run\/nginx\.pid;$/m);
  const dir = mkdtempSync(join(tmpdir(), 'hop3-nginx-base-'));
  try {
    mkdirSync(join(dir, 'sites'));
    const moved = text
      .replace('/etc/nginx/hop3-sites/', `${dir}/sites/`)
      .replace('/run/nginx.pid', `${dir}/nginx.pid`)
      .replaceAll('/var/log/nginx/', `${dir}/`)
      .replace(/^user .*;$/m, process.getuid?.() === 0 ? 'user nobody nogroup;' : '');
    writeFileSync(join(dir, 'nginx.conf'), moved);
    const ctx = { httpPort: 80, httpsPort: 443, ipv6: false, tlsDir: dir };
    writeFileSync(join(dir, 'sites', '_hop3-default.conf'), renderDefaultSite(ctx));
    const endpoints = [
      { name: 'admin', port: 9090, subdomain: 'admin' },
      { name: 'api', port: 9091, path: '/api' },
    ];
    writeFileSync(join(dir, 'sites', 'shop.conf'), renderSite({ app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [5000, 5001, 5002], endpoints }, ctx));
    // Upstream group names from dashed and digit-led app names, up to the longest app name, side by side.
    for (const app of ['my-shop', 'myshop', '0', `a-${'b'.repeat(59)}-c`]) {
      writeFileSync(join(dir, 'sites', `${app}.conf`), renderSite({ app, hostnames: [`${app}.example.com`], upstream_ports: [5003, 5004] }, ctx));
    }
    const out = execFileSync(NGINX_BIN, ['-t', '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(typeof out, 'string');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
