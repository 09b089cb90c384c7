/**
 * kill -9 rootd at every step of a state write and mid-op; after restart the
 * state file is the old or the new one and reconcile converges (no leaked or
 * duplicate rule, mount, leaf or site). The scenario runs inside throwaway
 * mount + network namespaces with real nft, mount(8) and nginx: see
 * crash-scenario.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';

const SCENARIO = join(import.meta.dirname, 'crash-scenario.ts');

test('rootd killed at every state-write step and mid-op always restarts onto the old or new state and converges', { timeout: 900_000 }, async () => {
  const parentNs = `${readlinkSync('/proc/self/ns/net')} ${readlinkSync('/proc/self/ns/mnt')}`;
  const child = spawn('/usr/bin/unshare', ['-m', '-n', '--propagation', 'private', '--', process.execPath, '--import', 'tsx', SCENARIO], {
    env: { ...process.env, HOP3_PARENT_NS: parentNs },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const last = out.trim().split('\n').pop() ?? '';
  let summary: { ok: boolean; seed: number; counts: Record<string, number>; failures: string[] };
  try {
    summary = JSON.parse(last) as typeof summary;
  } catch {
    assert.fail(`scenario exited ${code} without a summary; stderr: ${err.slice(-3000)}`);
  }
  console.log(`# crash scenario (seed ${summary.seed}): ${JSON.stringify(summary.counts)}`);
  assert.deepEqual(summary.failures, [], `re-run with CRASH_SEED=${summary.seed}`);
  assert.equal(code, 0);
  // The scenario must really have killed rootd at state-write steps and mid-op.
  assert.ok((summary.counts['killed_at_step'] ?? 0) >= 30, JSON.stringify(summary.counts));
  assert.ok((summary.counts['mid_op_kills'] ?? 0) >= 9, JSON.stringify(summary.counts));
});
