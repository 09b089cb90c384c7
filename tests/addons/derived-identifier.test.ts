/** derivedIdentifier: short names unchanged, long names a prefix + 8 hex of sha256(name), never over 63, never colliding on a shared prefix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { derivedIdentifier, IDENTIFIER_MAX } from '../../server/addons/backend.ts';

test('names whose hop3_ identifier fits in 63 characters are unchanged', () => {
  assert.equal(derivedIdentifier('a'), 'hop3_a');
  assert.equal(derivedIdentifier('my-db'), 'hop3_my_db');
  const fits = `a${'b'.repeat(57)}`; // 58 chars → exactly 63
  assert.equal(derivedIdentifier(fits), `hop3_${fits}`);
});

test('a longer name becomes a 54-character prefix, an underscore and 8 hex characters of its sha256', () => {
  const name = `a${'b'.repeat(58)}`; // 59 chars → 64 would not fit
  const id = derivedIdentifier(name);
  assert.equal(id.length, IDENTIFIER_MAX);
  assert.equal(id, `hop3_a${'b'.repeat(48)}_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`);
});

test('two 63-character names sharing their first 62 characters get different identifiers', () => {
  const stem = `t${'x'.repeat(61)}`;
  const ids = ['1', '2', '-', 'a'].map((c) => derivedIdentifier(stem + c));
  assert.equal(new Set(ids).size, 4);
  for (const id of ids) assert.ok(id.length <= IDENTIFIER_MAX && /^hop3_[a-z0-9_]+$/.test(id), id);
});

test('every valid length from 1 to 63 gives an identifier of at most 63 characters, and the result is stable', () => {
  for (let n = 1; n <= 63; n++) {
    const name = `q${'-z'.repeat(40)}`.slice(0, n);
    const id = derivedIdentifier(name);
    assert.ok(id.length <= IDENTIFIER_MAX, `${n}: ${id}`);
    assert.equal(derivedIdentifier(name), id);
  }
});
