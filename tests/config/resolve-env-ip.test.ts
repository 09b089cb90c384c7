import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyIp, parseIPv6 } from '../../shared-protocol/config/resolve-env-ip.ts';

describe('classifyIp', () => {
  const publicAddrs = ['1.1.1.1', '9.9.9.9', '8.8.4.4', '172.32.0.1', '100.128.0.1', '2a01:4f8::1', '2001:4860:4860::8888'];
  for (const a of publicAddrs) {
    it(`classifies ${a} as public`, () => {
      const c = classifyIp(a);
      assert.ok(c);
      assert.equal(c.nonPublicReason, undefined);
    });
  }

  const nonPublic: [string, RegExp][] = [
    ['10.1.2.3', /private/], ['172.16.0.1', /private/], ['172.31.255.255', /private/], ['192.168.0.1', /private/],
    ['127.0.0.1', /loopback/], ['169.254.0.1', /link-local/], ['0.0.0.0', /unspecified/], ['100.64.0.1', /CGNAT/],
    ['192.0.2.2', /documentation/], ['198.51.100.1', /documentation/], ['203.0.113.9', /documentation/],
    ['198.18.0.1', /benchmark/], ['224.0.0.1', /multicast/], ['255.255.255.255', /reserved/],
    ['::', /unspecified/], ['::1', /loopback/], ['fe80::1', /link-local/], ['fd00::1', /unique local/],
    ['fc00::1', /unique local/], ['ff02::1', /multicast/], ['2001:db8::1', /documentation/],
    ['::ffff:8.8.8.8', /IPv4-mapped/], ['::ffff:10.0.0.1', /IPv4-mapped/], ['100::1', /global unicast/],
  ];
  for (const [a, re] of nonPublic) {
    it(`classifies ${a} as not public (${re.source})`, () => {
      assert.match(classifyIp(a)?.nonPublicReason ?? '', re);
    });
  }

  for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', 'a.b.c.d', '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', ' 1.1.1.1']) {
    it(`refuses "${bad}" as an address`, () => assert.equal(classifyIp(bad), undefined));
  }

  it('expands IPv6 forms with :: and an embedded IPv4 tail', () => {
    assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    assert.deepEqual(parseIPv6('::1.2.3.4'), [0, 0, 0, 0, 0, 0, 0x0102, 0x0304]);
    assert.deepEqual(parseIPv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    assert.deepEqual(parseIPv6('2001:db8::'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(parseIPv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(parseIPv6('1:2:3:4:5:6:7::8'), undefined);
  });
});
