/**
 * Zero downtime through the real CLI: a loopback client making one
 * non-keep-alive request after another through nginx sees no failure during
 * 10 consecutive `hop3 deploy`s, a `hop3 ps scale` up and a `hop3 rollback`;
 * old releases' processes stop and their trees are pruned to keep_releases.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES, NOTHING, eventually, loadClient, startE2eStack, type E2eStack } from './stack.ts';

const APP = 'load';
const HOST = `${APP}.hop3.test`;
const SRC = join(EXAMPLES, 'node-nodep');
let e: E2eStack;
before(async () => {
  e = await startE2eStack();
  e.stack.track(APP);
  const first = await e.hop3(['deploy', SRC, '--app', APP]);
  assert.equal(first.code, 0, first.stderr + first.stdout);
});
after(async () => {
  await e?.stop();
});

interface Releases {
  releases: Array<{ number: number; status: string; current: boolean }>;
}

test('10 consecutive hop3 deploys under a non-keep-alive client through nginx fail 0 requests and leave only the last release running', async (t) => {
  const load = loadClient(e.stack.nginxPort, HOST);
  const times: number[] = [];
  const pids = new Set<string>();
  try {
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const r = await e.hop3(['deploy', SRC, '--app', APP, '--json']);
      times.push(Math.round(performance.now() - started));
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { end: { status: string; release: number } }).end.release, i + 2);
      pids.add((await e.page(HOST)).body);
    }
  } finally {
    const { ok, failed } = await load.stop();
    t.diagnostic(`CLI redeploys ${times.join(', ')} ms; ${ok} requests during them, ${failed.length} failed`);
    assert.deepEqual(failed, []);
    assert.ok(ok >= 50, `only ${ok} requests were made during 10 redeploys`);
  }
  assert.equal(pids.size, 10, 'each redeploy answers from a new process');
  await eventually(() => assert.deepEqual(e.leftovers(APP, null).vassals, [`${APP}__r11__web__1.ini`]), 15_000);
  // keep_releases = 3 in the stack: the current tree and the three newest superseded ones
  assert.deepEqual(readdirSync(join(e.stack.appRoot, APP, 'src')).sort(), ['r10', 'r11', 'r8', 'r9']);
  const rel = JSON.parse((await e.hop3(['releases', '--app', APP, '--json'])).stdout) as Releases;
  assert.equal(rel.releases.length, 11);
  assert.deepEqual(rel.releases.filter((r) => r.current).map((r) => [r.number, r.status]), [[11, 'live']]);
});

test('scaling web up and rolling back under the same client fail 0 requests, and the rollback runs at the current scale', async (t) => {
  const load = loadClient(e.stack.nginxPort, HOST);
  try {
    const up = await e.hop3(['ps', 'scale', 'web=2', '--app', APP]);
    assert.equal(up.code, 0, up.stderr);
    const back = await e.hop3(['rollback', '--app', APP]);
    assert.equal(back.code, 0, back.stderr + back.stdout);
    assert.match(back.stdout, /Rolled back load release 10/);
  } finally {
    const { ok, failed } = await load.stop();
    t.diagnostic(`${ok} requests during scale + rollback, ${failed.length} failed`);
    assert.deepEqual(failed, []);
  }
  const rel = JSON.parse((await e.hop3(['releases', '--app', APP, '--json'])).stdout) as Releases;
  assert.equal(rel.releases.find((r) => r.current)?.number, 10);
  await eventually(() => assert.deepEqual(e.leftovers(APP, null).vassals.sort(), [`${APP}__r10__web__1.ini`, `${APP}__r10__web__2.ini`]), 15_000);
});

test('destroying the app after all that leaves no vassal, nginx site, release tree, log or row', async () => {
  const id = e.appId(APP);
  assert.notEqual(id, null);
  const gone = await e.hop3(['app', 'destroy', '--app', APP, `--confirm=${APP}`]);
  assert.equal(gone.code, 0, gone.stderr);
  assert.deepEqual(e.leftovers(APP, id), NOTHING);
  assert.equal((await e.page(HOST)).status, null);
});
