/**
 * `hop3 deploy` and the app commands end to end: the real CLI against a real
 * hop3-server child, a real hop3-rootd, a real nginx and a local uWSGI
 * emperor (tests/cli/deploy-harness.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, startDeployStack, type DeployStack } from './deploy-harness.ts';
import { cliUser, json, type CliUser } from './harness.ts';

let s: DeployStack;
let u: CliUser;
before(async () => {
  s = await startDeployStack();
  u = cliUser();
  const r = await u.run(['login', '--server', s.server.url, '--token', s.server.token]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  u?.cleanup();
  await s?.stop();
});

interface EndDoc {
  end: { status: string; release: number; url?: string; error?: { code: string } };
  steps: Array<{ step: string; outcome: string; duration_ms: number }>;
  exit?: number;
}

test('hop3 deploy from the app dir (name from [metadata].id) sets --env first, shows upload progress and every step, and prints the URL nginx serves', async () => {
  const app = s.track('node-nodep');
  const r = await u.run(['deploy', '--env', 'GREETING=hello there', '-e', 'EXTRA=1'], { cwd: join(EXAMPLES, 'node-nodep') });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stderr, /Created app node-nodep\.\nSet GREETING, EXTRA\./);
  assert.match(r.stderr, /Uploading node-nodep \(\d+ files, [\d.]+ (B|KiB)\): [\d.]+ (B|KiB) sent in [\d.]+ s/);
  for (const step of ['receive', 'config', 'build', 'env', 'start', 'health', 'switch', 'record']) {
    assert.match(r.stdout, new RegExp(`-----> ${step}\\n[\\s\\S]*?${step} ok in [\\d.]+ m?s`));
  }
  assert.match(r.stdout, /Deployed node-nodep release 1 in [\d.]+ m?s\.\nURL: http:\/\/node-nodep\.hop3\.test\/\n$/);
  const page = await s.get(`${app}.hop3.test`);
  assert.equal(page.status, 200);
  assert.match(page.body, /hello from node-nodep/);
  const run = await u.run(['run', '--app', app, '--', 'node', '-e', 'console.log(process.env.GREETING); console.error("to stderr"); process.exit(3)']);
  assert.equal(run.code, 3, 'hop3 run exits with the command status');
  assert.equal(run.stdout, 'hello there\n');
  assert.equal(run.stderr, 'to stderr\n');
});

test('status, ps, logs and releases show the live release, as text and as JSON', async () => {
  const app = 'node-nodep';
  const status = await u.run(['app', 'status', '--app', app]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /app:\s+node-nodep \(running\)\nurl:\s+http:\/\/node-nodep\.hop3\.test\//);
  assert.match(status.stdout, /web\.1\s+running\s+:\d+\s+pid \d+\s+release 1/);
  const ps = json<{ scale: Record<string, number>; processes: Array<{ label: string }> }>(await u.run(['ps', '--app', app, '--json']));
  assert.deepEqual(ps.scale, { web: 1 });
  assert.deepEqual(ps.processes.map((p) => p.label), ['web.1']);
  const logs = json<{ lines: Array<{ process: string; line: string }> }>(await u.run(['logs', '--app', app, '-n', '50', '--json']));
  assert.ok(logs.lines.some((l) => l.process === 'web.1' && /node-nodep listening on 127\.0\.0\.1:\d+/.test(l.line)), JSON.stringify(logs.lines.slice(-5)));
  const releases = json<{ releases: Array<{ number: number; status: string; current: boolean }> }>(await u.run(['releases', '--app', app, '--json']));
  assert.deepEqual(releases.releases.map((r) => [r.number, r.status, r.current]), [[1, 'live', true]]);
});

test('logs -f prints new lines as the app writes them until the CLI is stopped', async () => {
  const live = u.start(['logs', '-f', '-n', '1', '--app', 'node-nodep']);
  try {
    await live.waitFor(/web\.1 \| /);
    await u.run(['app', 'restart', '--app', 'node-nodep']);
    await live.waitFor(/web\.1 \| node-nodep listening[\s\S]*web\.1 \| node-nodep listening/, 30_000);
  } finally {
    await live.stop();
  }
});

test('a redeploy with --json prints one document, rollback brings release 1 back, and scale runs two web copies', async () => {
  const app = 'node-nodep';
  const re = await u.run(['deploy', join(EXAMPLES, 'node-nodep'), '--app', app, '--json']);
  assert.equal(re.code, 0, re.stderr);
  const doc = json<EndDoc>(re);
  assert.equal(doc.end.status, 'live');
  assert.equal(doc.end.release, 2);
  assert.deepEqual(doc.steps.map((x) => x.step), ['receive', 'config', 'build', 'env', 'start', 'health', 'switch', 'record']);
  const back = await u.run(['rollback', '1', '--app', app]);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /Rolled back node-nodep release 1/);
  const rel = json<{ releases: Array<{ number: number; current: boolean }> }>(await u.run(['releases', '--app', app, '--json']));
  assert.equal(rel.releases.find((r) => r.current)?.number, 1);
  const scaled = await u.run(['ps', 'scale', 'web=2', '--app', app]);
  assert.equal(scaled.code, 0, scaled.stderr);
  assert.match(scaled.stdout, /scale: web=2\n\s+web\.1 .*\n\s+web\.2 /);
  assert.equal((await s.get(`${app}.hop3.test`)).status, 200);
  const bad = await u.run(['ps', 'scale', 'worker=1', '--app', app]);
  assert.equal(bad.code, 4);
  assert.match(bad.stderr, /E_PROCESS_TYPE_NOT_FOUND/);
});

test('a deploy whose health check fails exits 6 with the server code and hint, and the previous release keeps serving', async () => {
  const r = await u.run(['deploy', join(EXAMPLES, 'failing-health'), '--app', 'node-nodep']);
  assert.equal(r.code, 6, r.stdout);
  assert.match(r.stdout, /health failed/);
  assert.match(r.stderr, /hop3: deploy of node-nodep \(release \d+\) failed: E_HEALTHCHECK_FAILED: .*500/);
  assert.match(r.stderr, /hint: /);
  const page = await s.get('node-nodep.hop3.test');
  assert.equal(page.status, 200);
  assert.match(page.body, /hello from node-nodep/);
});

test('an invalid hop3.toml fails the deploy locally with exit 7 and the config errors, before any upload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hop3-cli-bad-'));
  try {
    cpSync(join(EXAMPLES, 'node-nodep'), dir, { recursive: true });
    writeFileSync(join(dir, 'hop3.toml'), '[metadata]\nid = "node-nodep"\n\n[run]\nstart = 42\n');
    const r = await u.run(['deploy', dir]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /hop3\.toml:\d+:\d+/);
    assert.match(r.stderr, /E_CONFIG_INVALID: the app config in .* is invalid; nothing was uploaded/);
    assert.doesNotMatch(r.stderr, /Uploading/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stop, start and destroy: the site stops answering, comes back, then the app is gone', async () => {
  const app = 'node-nodep';
  assert.equal((await u.run(['app', 'stop', '--app', app])).code, 0);
  assert.equal((await s.get(`${app}.hop3.test`)).status, 502);
  const started = await u.run(['app', 'start', '--app', app]);
  assert.equal(started.code, 0, started.stderr);
  assert.equal((await s.get(`${app}.hop3.test`)).status, 200);
  const gone = await u.run(['app', 'destroy', '--app', app, `--confirm=${app}`]);
  assert.equal(gone.code, 0, gone.stderr);
  const status = await u.run(['app', 'status', '--app', app]);
  assert.equal(status.code, 4);
});
