/**
 * A scaled app against a real nginx (/usr/sbin/nginx, our child, temp prefix,
 * ports in 20000-29999): apply_site with several upstream ports, requests
 * spread over the copies, a stopped or failing copy skipped, and a redeploy
 * (apply the new release's ports, then stop the old copies) under load.
 * Copies are node HTTP servers on 127.0.0.1; each is stopped by this file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { rawGet, startLiveNginx, type LiveNginx, type RawResponse } from './nginx-harness.ts';

/** One copy of the app's web process: answers "<name>" (or 502 when told to), counts what it served. */
interface Copy {
  readonly name: string;
  readonly port: number;
  served: number;
  answered502: number;
  fail502: boolean;
  /** graceful: stop accepting, let in-flight requests finish (what a SIGTERM'd app server does); else drop every connection. */
  stop(graceful?: boolean): Promise<void>;
}

const live: Copy[] = [];

async function startCopy(name: string, port = 0): Promise<Copy> {
  const copy: Copy = { name, port: 0, served: 0, answered502: 0, fail502: false, stop: async () => {} };
  const server: Server = createServer((_req, res) => {
    if (copy.fail502) {
      copy.answered502++;
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway from the app');
      return;
    }
    copy.served++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(name) }).end(name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  let stopped: Promise<void> | undefined;
  const result: Copy = Object.assign(copy, {
    port: addr.port,
    stop: (graceful = false): Promise<void> => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        if (graceful) server.closeIdleConnections();
        else server.closeAllConnections();
      });
      return stopped;
    },
  });
  live.push(result);
  return result;
}

let L: LiveNginx | undefined;
const N = (): LiveNginx => {
  if (!L) throw new Error('no nginx');
  return L;
};

before(async () => {
  L = await startLiveNginx();
});

after(async () => {
  for (const c of live) await c.stop();
  await L?.stop();
});

async function apply(app: string, host: string, copies: readonly Copy[]): Promise<void> {
  const r = await N().env.call('nginx.apply_site', { app, hostnames: [host], upstream_ports: copies.map((c) => c.port) });
  assert.equal(r.ok, true, JSON.stringify(r));
}

async function getMany(host: string, n: number): Promise<RawResponse[]> {
  const out: RawResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await rawGet(N().http, host, `/r${i}`));
  return out;
}

const tally = (rs: readonly RawResponse[]): Record<string, number> => {
  const t: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status === 200 ? r.body : `status ${String(r.status)}`;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
};

let a: Copy, b: Copy, c: Copy;

test('requests to a site with three copies are spread over all three', async () => {
  [a, b, c] = [await startCopy('a'), await startCopy('b'), await startCopy('c')];
  await apply('shop', 'shop.test', [a, b, c]);
  const t = tally(await getMany('shop.test', 30));
  assert.deepEqual(Object.keys(t).sort(), ['a', 'b', 'c'], JSON.stringify(t));
  for (const n of Object.values(t)) assert.ok(n >= 5, JSON.stringify(t));
});

test('a stopped copy fails no request: nginx moves on to the next copy', async () => {
  await b.stop();
  const t = tally(await getMany('shop.test', 30));
  assert.deepEqual(Object.keys(t).sort(), ['a', 'c'], JSON.stringify(t));
});

test('a copy answering 502 is skipped for the next copy (proxy_next_upstream http_502)', async () => {
  a.fail502 = true;
  const t = tally(await getMany('shop.test', 20));
  a.fail502 = false;
  assert.deepEqual(t, { c: 20 });
  assert.ok(a.answered502 > 0, 'nginx never tried the failing copy, so the test proved nothing');
});

test('when every copy was down, the first copy back serves at once (no "no live upstreams" window)', async () => {
  await a.stop();
  await c.stop();
  assert.equal((await rawGet(N().http, 'shop.test')).status, 502);
  // nginx's default max_fails=1 fail_timeout=10s would keep answering 502 here for up to 10 s.
  const back = await startCopy('a-again', a.port);
  assert.deepEqual(tally(await getMany('shop.test', 6)), { 'a-again': 6 });
  await back.stop();
});

test('two apps whose names differ only by a dash get their own upstream groups', async () => {
  const [x, y] = [await startCopy('x-1 copy'), await startCopy('x1 copy')];
  await apply('x-1', 'x-1.test', [x]);
  await apply('x1', 'x1.test', [y]);
  assert.equal((await rawGet(N().http, 'x-1.test')).body, 'x-1 copy');
  assert.equal((await rawGet(N().http, 'x1.test')).body, 'x1 copy');
});

test('a redeploy under load (apply the new release\'s ports, then stop the old copies) fails no request', async () => {
  const old = [await startCopy('old-1'), await startCopy('old-2')];
  await apply('web', 'web.test', old);
  const results: Array<{ r: RawResponse | Error; afterSwitch: boolean }> = [];
  let phase: 'old' | 'switching' | 'new' = 'old';
  let running = true;
  const client = async (): Promise<void> => {
    while (running) {
      const startedAfter = phase === 'new';
      try {
        results.push({ r: await rawGet(N().http, 'web.test', '/load'), afterSwitch: startedAfter });
      } catch (e) {
        results.push({ r: e as Error, afterSwitch: startedAfter });
      }
    }
  };
  const clients = [client(), client(), client(), client()];
  await new Promise((r) => setTimeout(r, 300));
  const fresh = [await startCopy('new-1'), await startCopy('new-2'), await startCopy('new-3')];
  phase = 'switching';
  await apply('web', 'web.test', fresh);
  // What the deploy pipeline does next: stop the old release's copies (gracefully, as SIGTERM does).
  await Promise.all(old.map((o) => o.stop(true)));
  phase = 'new';
  await new Promise((r) => setTimeout(r, 300));
  running = false;
  await Promise.all(clients);

  const failed = results.filter(({ r }) => r instanceof Error || r.status !== 200);
  assert.deepEqual(failed.map(({ r }) => (r instanceof Error ? r.message : `${String(r.status)} ${r.body.slice(0, 60)}`)), []);
  const before = results.filter((x) => !x.afterSwitch).length;
  const afterOld = results.filter((x) => x.afterSwitch);
  console.log(`# redeploy under load: ${results.length} requests, 0 failed (${afterOld.length} after the old copies stopped)`);
  assert.ok(before > 20 && afterOld.length > 20, `too few requests to mean anything: ${before} / ${afterOld.length}`);
  const fromOld = afterOld.filter(({ r }) => !(r instanceof Error) && r.body.startsWith('old-'));
  assert.deepEqual(fromOld.length, 0);
  assert.deepEqual(new Set(afterOld.map(({ r }) => (r instanceof Error ? '' : r.body))), new Set(['new-1', 'new-2', 'new-3']));
});

test('list_sites reports each site with its upstream ports, in sync with its file', async () => {
  const r = await N().env.call('nginx.list_sites', {});
  assert.equal(r.ok, true);
  const sites = (r.ok ? r.result['sites'] : []) as Array<{ app: string; upstream_ports: number[]; in_sync: boolean }>;
  assert.deepEqual(sites.map((s) => [s.app, s.upstream_ports.length, s.in_sync]), [['shop', 3, true], ['web', 3, true], ['x-1', 1, true], ['x1', 1, true]]);
});
