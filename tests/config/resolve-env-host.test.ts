import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectExternalIp, detectExternalIps, parseRouteGetSrc } from '../../shared-protocol/config/resolve-env-host.ts';

describe('detectExternalIp', () => {
  it('parses the src address of `ip route get` output', () => {
    assert.equal(parseRouteGetSrc('1.1.1.1 via 192.0.2.1 dev eth0 src 203.0.113.7 uid 0 \n    cache \n'), '203.0.113.7');
    assert.equal(parseRouteGetSrc('2606:4700:4700::1111 from :: via fe80::1 dev eth0 proto ra src 2a01:4f8::2 metric 1024 pref medium'), '2a01:4f8::2');
    assert.equal(parseRouteGetSrc('unreachable 1.1.1.1'), undefined);
  });

  it('prefers the operator HOP3_EXTERNAL_IP and runs nothing', async () => {
    const calls: string[][] = [];
    const run = async (argv: readonly string[]) => { calls.push([...argv]); return ''; };
    assert.deepEqual(await detectExternalIp({ HOP3_EXTERNAL_IP: ' 9.9.9.9 ' }, 'v4', run), { address: '9.9.9.9', origin: 'operator' });
    assert.deepEqual(calls, []);
  });

  it('asks the kernel routing table with an argv array when no operator value is set', async () => {
    const calls: string[][] = [];
    const run = async (argv: readonly string[]) => { calls.push([...argv]); return '1.1.1.1 dev eth0 src 5.6.7.8 uid 0'; };
    assert.deepEqual(await detectExternalIp({}, 'v4', run), { address: '5.6.7.8', origin: 'detected' });
    assert.deepEqual(calls, [['route', 'get', '1.1.1.1']]);
  });

  it('uses HOP3_EXTERNAL_IP6 and `ip -6 route get` for IPv6', async () => {
    const calls: string[][] = [];
    const run = async (argv: readonly string[]) => { calls.push([...argv]); return 'x src 2a01:4f8::2 metric 1'; };
    assert.deepEqual(await detectExternalIps({ HOP3_EXTERNAL_IP: '9.9.9.9' }, run), {
      v4: { address: '9.9.9.9', origin: 'operator' },
      v6: { address: '2a01:4f8::2', origin: 'detected' },
    });
    assert.deepEqual(calls, [['-6', 'route', 'get', '2606:4700:4700::1111']]);
  });

  it('returns undefined when there is no route of that family', async () => {
    const run = async () => { throw new Error('RTNETLINK answers: Network is unreachable'); };
    assert.equal(await detectExternalIp({}, 'v6', run), undefined);
  });

  it('runs the real ip(8) binary without a shell and returns an address or nothing', async () => {
    const r = await detectExternalIp({}, 'v4');
    if (r !== undefined) assert.match(r.address, /^[0-9.]+$/);
  });
});
