import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, initStateFile, StateStore, WRITE_STEPS, writeFileAtomic, type WriteStep } from '../../rootd/state.ts';

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hop3-state-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const refusals: Array<[string, string | null, RegExp]> = [
  ['a missing state file', null, /no state file/],
  ['a file that is not JSON', '{"version":1,', /corrupt/],
  ['an unknown version', JSON.stringify({ ...emptyState(), version: 2 }), /unknown state version 2/],
  ['a file without a version', '{}', /unknown state version undefined/],
  ['a file with an unknown section', JSON.stringify({ ...emptyState(), extra: {} }), /invalid/],
  ['a file whose section has the wrong shape', JSON.stringify({ ...emptyState(), firewall: { rules: 'x' } }), /invalid/],
];
for (const [what, content, re] of refusals) {
  test(`rootd refuses to start on ${what}, with E_STATE and a hint`, withDir((dir) => {
    const path = join(dir, 'state.json');
    if (content !== null) writeFileSync(path, content);
    assert.throws(() => StateStore.open(path), (e: { code?: string; message?: string; hint?: string }) => e.code === 'E_STATE' && re.test(e.message ?? '') && (e.hint ?? '').length > 0);
    if (content !== null) assert.equal(readFileSync(path, 'utf8'), content, 'the file is never rewritten or reset');
  }));
}

test('init-state writes an empty state with mode 0600 and refuses to overwrite without --force', withDir((dir) => {
  const path = join(dir, 'state.json');
  initStateFile(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(StateStore.open(path).current, emptyState());
  assert.throws(() => initStateFile(path), /already exists/);
  assert.doesNotThrow(() => initStateFile(path, true));
}));

test('a state write passes through every step in order', withDir((dir) => {
  const steps: WriteStep[] = [];
  writeFileAtomic(join(dir, 's.json'), '{}', (s) => steps.push(s));
  assert.deepEqual(steps, [...WRITE_STEPS]);
}));

test('a failed update writes nothing and leaves the current state', withDir(async (dir) => {
  const path = join(dir, 'state.json');
  initStateFile(path);
  const store = StateStore.open(path);
  const before = readFileSync(path, 'utf8');
  await assert.rejects(store.update((d) => {
    d.cgroup.slice = true;
    throw new Error('effect failed');
  }), /effect failed/);
  assert.equal(readFileSync(path, 'utf8'), before);
  assert.equal(store.current.cgroup.slice, false);
}));

test('temp files left by a write killed before its rename are removed at open', withDir((dir) => {
  const path = join(dir, 'state.json');
  initStateFile(path);
  writeFileSync(`${path}.tmp-4242`, '{"half":');
  writeFileSync(join(dir, 'state.json.tmp-notapid'), 'keep');
  StateStore.open(path);
  assert.deepEqual(readdirSync(dir).sort(), ['state.json', 'state.json.tmp-notapid']);
}));
