import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createTokenStore, TOKEN_RE } from '../../server/auth/tokens.ts';
import { openDatabase } from '../../server/db/open.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { FakeClock, tempDir } from './helpers.ts';

function withStore(fn: (store: ReturnType<typeof createTokenStore>, sqlite: ReturnType<typeof openDatabase>['sqlite'], clock: FakeClock) => void): void {
  const t = tempDir();
  const o = openDatabase(join(t.dir, 'hop3.db'));
  const clock = new FakeClock();
  try {
    fn(createTokenStore({ db: o.db, clock: clock.now }), o.sqlite, clock);
  } finally {
    o.close();
    t.cleanup();
  }
}

test('a new token has the hop3_ prefix and 256 random bits, and only its SHA-256 is stored', () => {
  withStore((store, sqlite) => {
    const { token, info } = store.create('alice');
    assert.match(token, TOKEN_RE);
    assert.equal(info.prefix, token.slice(0, 9));
    const row = sqlite.prepare('SELECT * FROM api_tokens').get() as Record<string, unknown>;
    assert.equal(row['token_hash'], createHash('sha256').update(token).digest('hex'));
    assert.equal(JSON.stringify(row).includes(token), false);
    assert.equal(JSON.stringify(row).includes(token.slice(9)), false);
  });
});

test('a token verifies as its own name; a changed, truncated or foreign-prefixed token does not', () => {
  withStore((store) => {
    const { token } = store.create('alice');
    const bob = store.create('bob');
    assert.equal(store.verify(token)?.name, 'alice');
    assert.equal(store.verify(bob.token)?.name, 'bob');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const bad of [token.slice(0, -1) + last, token.slice(0, -1), `${token}A`, token.replace('hop3_', 'hop4_'), '', 'Bearer', token.toUpperCase()]) {
      assert.equal(store.verify(bad), null, bad);
    }
  });
});

test('a revoked token stops verifying at once and its name can be reused', () => {
  withStore((store) => {
    const { token } = store.create('ci');
    store.revoke('ci');
    assert.equal(store.verify(token), null);
    assert.deepEqual(store.list().map((t) => t.name), []);
    const again = store.create('ci');
    assert.equal(store.verify(again.token)?.name, 'ci');
  });
});

test('names are unique among active tokens, validated, and revoking an unknown name is E_TOKEN_NOT_FOUND', () => {
  withStore((store) => {
    store.create('alice');
    assert.throws(() => store.create('alice'), (e: unknown) => isHop3Error(e) && e.code === 'E_TOKEN_EXISTS');
    for (const bad of ['', '-x', 'a b', 'x'.repeat(65), 'é']) {
      assert.throws(() => store.create(bad), (e: unknown) => isHop3Error(e) && e.code === 'E_USAGE', bad);
    }
    assert.throws(() => store.revoke('nobody'), (e: unknown) => isHop3Error(e) && e.code === 'E_TOKEN_NOT_FOUND');
  });
});

test('last use is recorded, at most once a minute', () => {
  withStore((store, _sqlite, clock) => {
    const { token } = store.create('alice');
    assert.equal(store.list()[0]?.lastUsedAt, null);
    store.verify(token);
    const first = store.list()[0]?.lastUsedAt?.getTime();
    assert.equal(first, clock.ms);
    clock.advance(30_000);
    store.verify(token);
    assert.equal(store.list()[0]?.lastUsedAt?.getTime(), first);
    clock.advance(31_000);
    store.verify(token);
    assert.equal(store.list()[0]?.lastUsedAt?.getTime(), clock.ms);
  });
});
