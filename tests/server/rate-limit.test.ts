import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFailureLimiter } from '../../server/auth/rate-limit.ts';
import { clientAddress } from '../../server/auth/client-address.ts';

function limiter(burst = 3, perMinute = 6, maxEntries?: number) {
  let now = 1_000_000;
  const l = createFailureLimiter({ burst, perMinute, clock: () => now, ...(maxEntries === undefined ? {} : { maxEntries }) });
  return { l, advance: (ms: number) => (now += ms) };
}

test('an address may fail `burst` times, then must wait for one refill (60/perMinute s)', () => {
  const { l, advance } = limiter(3, 6);
  for (let i = 0; i < 3; i++) {
    assert.equal(l.retryAfter('1.2.3.4'), 0);
    l.fail('1.2.3.4');
  }
  assert.equal(l.retryAfter('1.2.3.4'), 10);
  advance(4_000);
  assert.equal(l.retryAfter('1.2.3.4'), 6);
  advance(6_000);
  assert.equal(l.retryAfter('1.2.3.4'), 0);
  l.fail('1.2.3.4');
  assert.equal(l.retryAfter('1.2.3.4'), 10);
});

test('failures of one address do not limit another', () => {
  const { l } = limiter(2, 6);
  l.fail('a');
  l.fail('a');
  assert.ok(l.retryAfter('a') > 0);
  assert.equal(l.retryAfter('b'), 0);
});

test('a bucket that has refilled completely is forgotten', () => {
  const { l, advance } = limiter(2, 60);
  l.fail('a');
  assert.equal(l.size, 1);
  advance(1_000);
  assert.equal(l.retryAfter('a'), 0);
  assert.equal(l.size, 0);
});

test('the number of tracked addresses is bounded', () => {
  const { l } = limiter(2, 1, 100);
  for (let i = 0; i < 1000; i++) l.fail(`10.0.${Math.floor(i / 256)}.${i % 256}`);
  assert.ok(l.size <= 100, `size ${l.size}`);
});

const ADDRESSES: Array<[string, string | undefined, string | undefined, string[], string]> = [
  ['a TCP peer', '203.0.113.9', undefined, [], '203.0.113.9'],
  ['an IPv4-mapped IPv6 peer', '::ffff:127.0.0.1', undefined, [], '127.0.0.1'],
  ['a Unix-socket peer', undefined, undefined, [], 'unix'],
  ['X-Forwarded-For from an untrusted peer (ignored)', '203.0.113.9', '198.51.100.1', [], '203.0.113.9'],
  ['X-Forwarded-For from a trusted proxy', '127.0.0.1', '198.51.100.1', ['127.0.0.1'], '198.51.100.1'],
  ['a spoofed left-most X-Forwarded-For entry (right-most untrusted wins)', '127.0.0.1', '1.1.1.1, 198.51.100.1', ['127.0.0.1'], '198.51.100.1'],
  ['a chain of trusted proxies', '127.0.0.1', '198.51.100.1, 10.0.0.2', ['127.0.0.1', '10.0.0.2'], '198.51.100.1'],
];
for (const [what, peer, xff, trusted, expected] of ADDRESSES) {
  test(`the client address of ${what} is ${expected}`, () => {
    assert.equal(clientAddress(peer, xff, trusted), expected);
  });
}
