/** The pure redis helpers: exact ACL SETUSER rules and URL encoding (no server). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisAclRules, redisUrl, redisUser, sha256Hex } from '../../server/addons/redis-acl.ts';

test('the ACL rules set the password by hash, drop dangerous and cross-DB commands, and allow SELECT of one DB only', () => {
  const h = sha256Hex('secret');
  assert.equal(h, '2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b');
  assert.deepEqual(redisAclRules(h, 3), [
    'reset', 'on', `#${h}`, '~*', '&*', '+@all', '-@dangerous',
    '+keys', '+sort', '+sort_ro', '+flushdb', '+info', '-move', '-copy', '-select', '+select|3',
  ]);
});

test('the ACL rules refuse anything but a 64-hex hash and a non-negative integer DB', () => {
  assert.throws(() => redisAclRules('plaintext', 1), /64 hex/);
  assert.throws(() => redisAclRules(sha256Hex('x'), -1), /invalid redis db/);
  assert.throws(() => redisAclRules(sha256Hex('x'), 1.5), /invalid redis db/);
});

test('the user is hop3- plus the addon name', () => {
  assert.equal(redisUser('my-cache'), 'hop3-my-cache');
});

test('REDIS_URL percent-encodes the credentials and brackets IPv6 hosts', () => {
  assert.equal(redisUrl({ host: '127.0.0.1', port: 6379, db: 2 }), 'redis://127.0.0.1:6379/2');
  assert.equal(redisUrl({ host: '127.0.0.1', port: 6379, db: 2, user: 'hop3-a', password: 'p/w@:x' }), 'redis://hop3-a:p%2Fw%40%3Ax@127.0.0.1:6379/2');
  assert.equal(redisUrl({ host: '::1', port: 7000, db: 0, password: 'pw' }), 'redis://:pw@[::1]:7000/0');
});
