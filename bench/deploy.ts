/**
 * bench:deploy — `hop3 deploy` from CLI start to the first 200 through nginx
 * (with the app's Host header) for examples/node-nodep, on real rootd, nginx,
 * uWSGI emperor and hop3-server (bench/deploy-stack.ts, bundled as deployed).
 *
 *   deploy_s     median first deploy over several fresh apps (one warm-up app first)
 *   redeploy_s   median redeploy of an unchanged app; "first 200" = the new release's pid answers
 *   floor_s      in the same run, no platform: tar + extract + `node server.js` + first 200 on loopback
 *   redeploy_failed_requests  a non-keep-alive loopback client through nginx during more redeploys
 *   server_rss_idle_mb / server_rss_20apps_mb  the server process, after start / with 20 apps live
 *
 * Then where the time goes: each release's step durations (GET /v1/apps/:app/releases),
 * medians per step; "outside_steps" is, per deploy, the rest (CLI start, bundle, upload, event
 * stream, nginx poll; negative when the first 200 arrives before the record step ends).
 * --json: the last line is {"bench":"deploy","figures":{...}}.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeNginxPort } from '../tests/rootd/nginx-harness.ts';
import { loadClient } from '../tests/e2e/stack.ts';
import { DOMAIN, REPO, rssMb, startBenchStack, type BenchStack } from './deploy-stack.ts';

const json = process.argv.includes('--json');
const FIRST = 8; // timed first deploys (after one warm-up); the rest up to 20 apps are deployed untimed
const REDEPLOYS = 6;
const LOAD_REDEPLOYS = 5;
const APP = 'bench-app';
const SRC = join(REPO, 'examples', 'node-nodep');

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

function get(port: number, host: string): Promise<{ status: number; body: string } | null> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000, headers: { host, connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(null));
    req.end();
  });
}

/** Poll until a 200 whose body differs from `previous` (a new release answers its own pid). */
async function first200(port: number, host: string, previous: string | null, deadline: number): Promise<string> {
  for (;;) {
    const r = await get(port, host);
    if (r !== null && r.status === 200 && r.body !== previous) return r.body;
    if (Date.now() > deadline) throw new Error(`no new 200 from ${host} through nginx`);
    await sleep(10);
  }
}

/** `hop3 deploy` from CLI start to the first 200 of the new release through nginx, in seconds. */
async function timedDeploy(s: BenchStack, app: string, previous: string | null): Promise<{ s: number; body: string }> {
  const t0 = performance.now();
  const cli = spawn(process.execPath, [s.cli, 'deploy', SRC, '--app', app], { env: s.cliEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
  const host = `${app}.${DOMAIN}`;
  const body = await Promise.race([
    first200(s.nginxPort, host, previous, Date.now() + 60_000),
    exited.then(async (code) => {
      if (code !== 0) throw new Error(`hop3 deploy ${app} exited ${code}: ${stderr}`);
      return first200(s.nginxPort, host, previous, Date.now() + 10_000);
    }),
  ]);
  const s1 = (performance.now() - t0) / 1000;
  if ((await exited) !== 0) throw new Error(`hop3 deploy ${app} failed: ${stderr}`);
  return { s: s1, body };
}

/** The floor: tar + extract + node start + first 200 on a loopback port, no platform. */
async function floorOnce(work: string, i: number): Promise<number> {
  const port = await freeNginxPort();
  const t0 = performance.now();
  const tgz = join(work, `f${i}.tgz`);
  const dir = join(work, `f${i}`);
  execFileSync('/bin/tar', ['-czf', tgz, '-C', SRC, '.']);
  execFileSync('/bin/mkdir', [dir]);
  execFileSync('/bin/tar', ['-xzf', tgz, '-C', dir]);
  const app = spawn(process.execPath, ['server.js'], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', PORT: String(port) }, stdio: 'ignore' });
  try {
    for (;;) {
      const r = await get(port, '127.0.0.1');
      if (r?.status === 200) break;
      await sleep(5);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    app.kill('SIGTERM');
  }
}

interface Release {
  number: number;
  steps: Array<{ step: string; duration_ms: number }>;
}
async function releases(s: BenchStack, app: string): Promise<Release[]> {
  const res = await fetch(`${s.apiUrl}/v1/apps/${app}/releases`, { headers: { authorization: `Bearer ${s.token}` } });
  return ((await res.json()) as { releases: Release[] }).releases;
}
function stepMedians(rels: readonly Release[]): Map<string, number> {
  const by = new Map<string, number[]>();
  for (const r of rels) for (const st of r.steps) by.set(st.step, [...(by.get(st.step) ?? []), st.duration_ms]);
  return new Map([...by].map(([k, v]) => [k, median(v)]));
}

const work = mkdtempSync(join(tmpdir(), 'hop3-bench-deploy-'));
const s = await startBenchStack(APP);
try {
  await sleep(1000);
  const rssIdle = rssMb(s.serverPid);
  const cliStart: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [s.cli, '--version'], { env: s.cliEnv });
    cliStart.push((performance.now() - t0) / 1000);
  }
  const floors: number[] = [];
  await floorOnce(work, 99); // warm-up
  await timedDeploy(s, `${APP}-0`, null); // warm-up: npm and nginx caches, first uWSGI spawn
  const firsts: number[] = [];
  const firstRel: Release[] = [];
  for (let i = 1; i <= FIRST; i++) {
    firsts.push((await timedDeploy(s, `${APP}-${i}`, null)).s);
    floors.push(await floorOnce(work, i)); // interleaved, so both see the same machine
    firstRel.push(...(await releases(s, `${APP}-${i}`)));
  }
  for (let i = FIRST + 1; i < 20; i++) await timedDeploy(s, `${APP}-${i}`, null);
  await sleep(1000);
  const rss20 = rssMb(s.serverPid);
  const redeploys: number[] = [];
  let body = (await get(s.nginxPort, `${APP}-1.${DOMAIN}`))?.body ?? null;
  for (let i = 0; i < REDEPLOYS; i++) {
    const r = await timedDeploy(s, `${APP}-1`, body);
    redeploys.push(r.s);
    body = r.body;
    floors.push(await floorOnce(work, 100 + i));
  }
  const reRel = (await releases(s, `${APP}-1`)).filter((r) => r.number > 1);
  const load = loadClient(s.nginxPort, `${APP}-2.${DOMAIN}`);
  let loadBody = (await get(s.nginxPort, `${APP}-2.${DOMAIN}`))?.body ?? null;
  for (let i = 0; i < LOAD_REDEPLOYS; i++) loadBody = (await timedDeploy(s, `${APP}-2`, loadBody)).body;
  const { ok, failed } = await load.stop();

  const deploy = median(firsts);
  const floor = median(floors);
  const figures = {
    deploy_s: { value: r3(deploy), unit: 's' },
    floor_s: { value: r3(floor), unit: 's' },
    redeploy_s: { value: r3(median(redeploys)), unit: 's' },
    redeploy_failed_requests: { value: failed.length, unit: 'requests' },
    redeploy_load_requests: { value: ok + failed.length, unit: 'requests' },
    server_rss_idle_mb: { value: rssIdle, unit: 'MB' },
    server_rss_20apps_mb: { value: rss20, unit: 'MB' },
    cli_start_s: { value: r3(median(cliStart)), unit: 's' },
  };
  const steps: Record<string, { value: number; unit: string }> = {};
  for (const [label, rels, totals] of [['deploy', firstRel, firsts], ['redeploy', reRel, redeploys]] as const) {
    for (const [k, v] of stepMedians(rels)) steps[`${label}_step_${k}_ms`] = { value: Math.round(v), unit: 'ms' };
    // per deploy: CLI start → first 200 minus the server's own steps (CLI start, bundle, upload, events, nginx poll)
    const byNumber = [...rels].sort((a, b) => a.number - b.number);
    const outside = totals.map((t, i) => t * 1000 - (byNumber[i]?.steps.reduce((a, st) => a + st.duration_ms, 0) ?? NaN));
    steps[`${label}_outside_steps_ms`] = { value: Math.round(median(outside)), unit: 'ms' };
  }
  console.log(`bench:deploy — examples/node-nodep, CLI start → first 200 through nginx; ${FIRST} first deploys, ${REDEPLOYS} redeploys, ${floors.length} floors interleaved (medians)`);
  console.log(`  first deploys ${firsts.map((x) => x.toFixed(2)).join(' ')} s; redeploys ${redeploys.map((x) => x.toFixed(2)).join(' ')} s; floors ${floors.map((x) => x.toFixed(3)).join(' ')} s`);
  console.log(`  load client during ${LOAD_REDEPLOYS} redeploys: ${ok} ok, ${failed.length} failed${failed.length ? ` (${failed.slice(0, 3).join('; ')})` : ''}`);
  for (const [k, v] of Object.entries({ ...figures, ...steps })) console.log(`  ${k.padEnd(30)} ${String(v.value).padStart(9)} ${v.unit}`);
  if (json) console.log(JSON.stringify({ bench: 'deploy', figures: { ...figures, ...steps } }));
} finally {
  await s.stop();
  rmSync(work, { recursive: true, force: true });
}
