import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateServerKey } from '../../server/crypto/key.ts';
import { createSecretBox } from '../../server/crypto/secrets.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { tempDir } from './helpers.ts';

const box = createSecretBox(randomBytes(32));
const ctx = ['env', 'web', 'DATABASE_URL'] as const;

function assertUnreadable(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => isHop3Error(e) && e.code === 'E_SECRET_UNREADABLE');
}

test('a sealed value opens back to the same text under the same context', () => {
  for (const text of ['', 'postgres://u:p@h/db', 'ünïcødé ✓', 'x'.repeat(70_000)]) {
    assert.equal(box.open(box.seal(text, ctx), ctx), text);
  }
});

test('sealing the same value twice gives different ciphertexts (fresh nonce) and never contains the plaintext', () => {
  const a = box.seal('hunter2-secret', ctx);
  const b = box.seal('hunter2-secret', ctx);
  assert.notDeepEqual(a, b);
  assert.equal(a.includes(Buffer.from('hunter2')), false);
});

test('flipping any single byte of a sealed value (version, nonce, tag or ciphertext) makes it unreadable', () => {
  const sealed = box.seal('s3cret value', ctx);
  for (let i = 0; i < sealed.length; i++) {
    const bad = Buffer.from(sealed);
    bad[i] = (bad[i] as number) ^ 0x01;
    assertUnreadable(() => box.open(bad, ctx));
  }
});

test('a truncated or empty sealed value is unreadable', () => {
  const sealed = box.seal('s3cret', ctx);
  assertUnreadable(() => box.open(sealed.subarray(0, sealed.length - 1), ctx));
  assertUnreadable(() => box.open(sealed.subarray(0, 10), ctx));
  assertUnreadable(() => box.open(Buffer.alloc(0), ctx));
});

test('a ciphertext moved to another app, another var name, or another kind of secret fails to decrypt', () => {
  const sealed = box.seal('s3cret', ctx);
  assertUnreadable(() => box.open(sealed, ['env', 'other', 'DATABASE_URL']));
  assertUnreadable(() => box.open(sealed, ['env', 'web', 'OTHER_VAR']));
  assertUnreadable(() => box.open(sealed, ['addon', 'web', 'DATABASE_URL']));
});

test('context parts are length-delimited: ["env","ab","c"] and ["env","a","bc"] do not collide', () => {
  const sealed = box.seal('v', ['env', 'ab', 'c']);
  assertUnreadable(() => box.open(sealed, ['env', 'a', 'bc']));
});

test('a value sealed under another server key is unreadable', () => {
  const other = createSecretBox(randomBytes(32));
  assertUnreadable(() => box.open(other.seal('v', ctx), ctx));
});

test('the server key file is created once, 32 bytes, mode 0600, and read back unchanged afterwards', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'server.key');
    const first = loadOrCreateServerKey(path);
    assert.equal(first.created, true);
    assert.equal(first.bytes.length, 32);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const second = loadOrCreateServerKey(path);
    assert.equal(second.created, false);
    assert.deepEqual(second.bytes, first.bytes);
    assert.deepEqual(readFileSync(path), first.bytes);
  } finally {
    t.cleanup();
  }
});

const BAD_KEYS: Array<[string, (path: string, dir: string) => void, RegExp]> = [
  ['is 31 bytes', (p) => writeFileSync(p, randomBytes(31), { mode: 0o600 }), /is 31 bytes, expected 32/],
  ['is empty', (p) => writeFileSync(p, '', { mode: 0o600 }), /is 0 bytes/],
  ['is readable by group', (p) => {
    writeFileSync(p, randomBytes(32));
    chmodSync(p, 0o640);
  }, /mode 640/],
  ['is a symlink', (p, dir) => {
    writeFileSync(join(dir, 'real.key'), randomBytes(32), { mode: 0o600 });
    symlinkSync(join(dir, 'real.key'), p);
  }, /not a regular file/],
];
for (const [what, make, re] of BAD_KEYS) {
  test(`an existing key file that ${what} is refused with E_KEY_INVALID, never replaced`, () => {
    const t = tempDir();
    try {
      const path = join(t.dir, 'server.key');
      make(path, t.dir);
      const before = readFileSync(path);
      assert.throws(() => loadOrCreateServerKey(path), (e: unknown) => isHop3Error(e) && e.code === 'E_KEY_INVALID' && re.test(e.message));
      assert.deepEqual(readFileSync(path), before);
    } finally {
      t.cleanup();
    }
  });
}
