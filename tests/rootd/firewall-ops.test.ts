/**
 * firewall.* through the real dispatcher (compiled TypeBox checks) and the
 * real handlers, with a fake nft: validation codes, exact scripts, claims,
 * idempotency, record-first/revert.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeNft, appRuleJson, codeOf, intactListing, makeHarness, type Harness, type Reply } from './firewall-fixtures.ts';
import { ruleId } from '../../rootd/ops/firewall-validate.ts';

const ok = { app: 'web', port: 8448, proto: 'tcp', source: 'any' };

const badParams: Array<[string, Record<string, unknown>, string]> = [
  ['port 0', { ...ok, port: 0 }, 'E_INVALID_PARAMS'],
  ['port 65536', { ...ok, port: 65536 }, 'E_INVALID_PARAMS'],
  ['a negative port', { ...ok, port: -1 }, 'E_INVALID_PARAMS'],
  ['a fractional port', { ...ok, port: 80.5 }, 'E_INVALID_PARAMS'],
  ['a port given as a string', { ...ok, port: '8448' }, 'E_INVALID_PARAMS'],
  ['reserved port 22', { ...ok, port: 22 }, 'E_PORT_RESERVED'],
  ['reserved port 80', { ...ok, port: 80 }, 'E_PORT_RESERVED'],
  ['reserved port 443', { ...ok, port: 443 }, 'E_PORT_RESERVED'],
  ['a range containing 22', { ...ok, port: { from: 20, to: 30 } }, 'E_PORT_RESERVED'],
  ['a range containing 443 at its end', { ...ok, port: { from: 400, to: 443 } }, 'E_PORT_RESERVED'],
  ['a range starting at 80', { ...ok, port: { from: 80, to: 90 } }, 'E_PORT_RESERVED'],
  ['a range with from == to', { ...ok, port: { from: 9000, to: 9000 } }, 'E_INVALID_PORT_RANGE'],
  ['a reversed range', { ...ok, port: { from: 9010, to: 9000 } }, 'E_INVALID_PORT_RANGE'],
  ['a range of 1001 ports', { ...ok, port: { from: 10000, to: 11000 } }, 'E_INVALID_PORT_RANGE'],
  ['a range ending above 65535', { ...ok, port: { from: 65000, to: 65536 } }, 'E_INVALID_PARAMS'],
  ['a range with an extra field', { ...ok, port: { from: 9000, to: 9010, step: 1 } }, 'E_INVALID_PARAMS'],
  ['a range missing to', { ...ok, port: { from: 9000 } }, 'E_INVALID_PARAMS'],
  ['proto icmp', { ...ok, proto: 'icmp' }, 'E_INVALID_PARAMS'],
  ['proto TCP in capitals', { ...ok, proto: 'TCP' }, 'E_INVALID_PARAMS'],
  ['a missing proto', { app: 'web', port: 8448, source: 'any' }, 'E_INVALID_PARAMS'],
  ['source with host bits 10.0.0.1/8', { ...ok, source: '10.0.0.1/8' }, 'E_INVALID_CIDR'],
  ['source with host bits 192.168.1.1/24', { ...ok, source: '192.168.1.1/24' }, 'E_INVALID_CIDR'],
  ['source 1.2.3.4/0', { ...ok, source: '1.2.3.4/0' }, 'E_INVALID_CIDR'],
  ['source 300.1.1.1/32', { ...ok, source: '300.1.1.1/32' }, 'E_INVALID_PARAMS'],
  ['source 256.0.0.0/8', { ...ok, source: '256.0.0.0/8' }, 'E_INVALID_PARAMS'],
  ['source prefix /33', { ...ok, source: '10.0.0.0/33' }, 'E_INVALID_PARAMS'],
  ['source without prefix', { ...ok, source: '10.0.0.0' }, 'E_INVALID_PARAMS'],
  ['source with leading zeros', { ...ok, source: '010.0.0.0/8' }, 'E_INVALID_PARAMS'],
  ['source with three octets', { ...ok, source: '10.0.0/8' }, 'E_INVALID_PARAMS'],
  ['an IPv6 source', { ...ok, source: '2001:db8::/32' }, 'E_INVALID_PARAMS'],
  ['source "ANY"', { ...ok, source: 'ANY' }, 'E_INVALID_PARAMS'],
  ['a source carrying an nft statement', { ...ok, source: '10.0.0.0/8 accept; flush ruleset' }, 'E_INVALID_PARAMS'],
  ['a newline in the description', { ...ok, description: 'a\nflush ruleset' }, 'E_INVALID_PARAMS'],
  ['a double quote in the description', { ...ok, description: 'say "hi"' }, 'E_INVALID_PARAMS'],
  ['a description of 201 characters', { ...ok, description: 'x'.repeat(201) }, 'E_INVALID_PARAMS'],
  ['an extra field', { ...ok, chain: 'input' }, 'E_INVALID_PARAMS'],
  ['an app name with capitals', { ...ok, app: 'Web' }, 'E_INVALID_PARAMS'],
  ['an app name with a slash', { ...ok, app: 'a/b' }, 'E_INVALID_PARAMS'],
  ['an empty app name', { ...ok, app: '' }, 'E_INVALID_PARAMS'],
];

describe('firewall.add_rule validation', () => {
  let h: Harness;
  let nft: FakeNft;
  beforeEach(() => {
    nft = new FakeNft();
    h = makeHarness(nft.exec);
  });
  afterEach(() => h.cleanup());

  for (const [what, params, code] of badParams) {
    test(`add_rule with ${what} is refused with ${code} and runs no nft`, async () => {
      const r = await h.call('firewall.add_rule', params);
      assert.equal(codeOf(r), code, JSON.stringify(r));
      assert.equal(nft.calls.length, 0);
      assert.deepEqual(h.state.current.firewall.rules, []);
    });
  }

  const badOther: Array<[string, string, Record<string, unknown>, string]> = [
    ['remove_rule with an unknown id', 'firewall.remove_rule', { app: 'web', rule_id: 'fw-0123456789abcdef' }, 'E_NOT_FOUND'],
    ['remove_rule with a malformed id', 'firewall.remove_rule', { app: 'web', rule_id: 'fw-XYZ' }, 'E_INVALID_PARAMS'],
    ['remove_rule with an id carrying a comment', 'firewall.remove_rule', { app: 'web', rule_id: 'fw-0123456789abcdef"' }, 'E_INVALID_PARAMS'],
    ['remove_rule without app', 'firewall.remove_rule', { rule_id: 'fw-0123456789abcdef' }, 'E_INVALID_PARAMS'],
    ['remove_rule with an extra field', 'firewall.remove_rule', { app: 'web', rule_id: 'fw-0123456789abcdef', handle: 3 }, 'E_INVALID_PARAMS'],
    ['list_rules with a bad app', 'firewall.list_rules', { app: '-x' }, 'E_INVALID_PARAMS'],
    ['list_rules with an extra field', 'firewall.list_rules', { table: 'filter' }, 'E_INVALID_PARAMS'],
  ];
  for (const [what, op, params, code] of badOther) {
    test(`${what} is refused with ${code}`, async () => {
      assert.equal(codeOf(await h.call(op, params)), code);
    });
  }
});

describe('firewall handlers against a fake nft', () => {
  let h: Harness;
  let nft: FakeNft;
  beforeEach(() => {
    nft = new FakeNft();
    h = makeHarness(nft.exec);
  });
  afterEach(() => h.cleanup());

  const result = (r: Reply): Record<string, unknown> => {
    assert.ok(r.ok, JSON.stringify(r));
    return r.result;
  };

  test('adding a rule on a host without the table creates table, chains and the rule in one nft -f - transaction', async () => {
    const r = result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any', description: 'federation' }));
    const id = ruleId('web', 'tcp', 8448, 'any');
    assert.deepEqual(r, { rule: { id, app: 'web', proto: 'tcp', port: 8448, source: 'any', description: 'federation' }, created: true });
    assert.deepEqual(
      nft.calls.map((c) => [c.bin, c.args]),
      [
        ['nft', ['-j', 'list', 'table', 'inet', 'hop3']],
        ['nft', ['-f', '-']],
      ],
    );
    assert.equal(
      nft.scripts[0],
      [
        'add table inet hop3',
        'add chain inet hop3 input { type filter hook input priority filter; policy drop; }',
        'add chain inet hop3 apps',
        'add rule inet hop3 input ct state established,related accept comment "hop3-base:established"',
        'add rule inet hop3 input iif "lo" accept comment "hop3-base:loopback"',
        'add rule inet hop3 input meta l4proto { icmp, ipv6-icmp } accept comment "hop3-base:icmp"',
        'add rule inet hop3 input ip6 saddr fe80::/10 udp dport 546 accept comment "hop3-base:dhcpv6"',
        'add rule inet hop3 input tcp dport { 22, 80, 443 } accept comment "hop3-base:platform"',
        'add rule inet hop3 input jump apps comment "hop3-base:apps"',
        `add rule inet hop3 apps tcp dport 8448 accept comment "hop3:${id}"`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(h.state.current.firewall.rules, [r['rule']]);
  });

  test('adding a rule when the skeleton is intact only adds the rule', async () => {
    nft.listing = intactListing([]);
    await h.call('firewall.add_rule', { app: 'web', port: { from: 9000, to: 9010 }, proto: 'udp', source: '10.0.0.0/8' });
    const id = ruleId('web', 'udp', { from: 9000, to: 9010 }, '10.0.0.0/8');
    assert.deepEqual(nft.scripts, [`add rule inet hop3 apps ip saddr 10.0.0.0/8 udp dport 9000-9010 accept comment "hop3:${id}"\n`]);
  });

  test('the same rule for the same app is idempotent: same id, created false, one state entry', async () => {
    const a = result(await h.call('firewall.add_rule', ok));
    const b = result(await h.call('firewall.add_rule', ok));
    assert.deepEqual(a['rule'], b['rule']);
    assert.equal(a['created'], true);
    assert.equal(b['created'], false);
    assert.equal(h.state.current.firewall.rules.length, 1);
  });

  test('re-adding a rule that is already live runs no nft change', async () => {
    const id = ruleId('web', 'tcp', 8448, 'any');
    nft.listing = intactListing([appRuleJson(10, id, 'tcp', 8448)]);
    result(await h.call('firewall.add_rule', ok));
    assert.deepEqual(nft.scripts, []);
  });

  test('re-adding a rule with a new description updates the description only', async () => {
    await h.call('firewall.add_rule', { ...ok, description: 'one' });
    const r = result(await h.call('firewall.add_rule', { ...ok, description: 'two' }));
    assert.equal((r['rule'] as { description: string }).description, 'two');
    assert.equal(r['created'], false);
    assert.equal(h.state.current.firewall.rules.length, 1);
  });

  test('the same port and proto from another app is refused with E_PORT_CLAIMED naming the holder', async () => {
    result(await h.call('firewall.add_rule', ok));
    const r = await h.call('firewall.add_rule', { ...ok, app: 'other' });
    assert.equal(codeOf(r), 'E_PORT_CLAIMED');
    assert.match(r.ok ? '' : r.error.message, /held by app web/);
    assert.equal(h.state.current.firewall.rules.length, 1);
  });

  test('a range overlapping another app\'s port is claimed, even from a different source', async () => {
    result(await h.call('firewall.add_rule', ok));
    const r = await h.call('firewall.add_rule', { app: 'other', port: { from: 8440, to: 8450 }, proto: 'tcp', source: '10.0.0.0/8' });
    assert.equal(codeOf(r), 'E_PORT_CLAIMED');
  });

  test('the same port on the other protocol, or an adjacent range, is not claimed', async () => {
    result(await h.call('firewall.add_rule', ok));
    result(await h.call('firewall.add_rule', { ...ok, app: 'other', proto: 'udp' }));
    result(await h.call('firewall.add_rule', { app: 'third', port: { from: 8449, to: 8460 }, proto: 'tcp', source: 'any' }));
    assert.equal(h.state.current.firewall.rules.length, 3);
  });

  test('one app may hold the same port for two sources, as two rules with two ids', async () => {
    const a = result(await h.call('firewall.add_rule', { ...ok, source: '10.0.0.0/8' }));
    const b = result(await h.call('firewall.add_rule', { ...ok, source: '192.168.0.0/16' }));
    assert.notEqual((a['rule'] as { id: string }).id, (b['rule'] as { id: string }).id);
  });

  test('when nft refuses the script, add_rule replies E_NFT_FAILED with nft\'s first line and the record is reverted', async () => {
    nft.applyResult = { code: 1, stdout: '', stderr: '\nError: Could not process rule: Operation not permitted\nadd rule ...\n' };
    const r = await h.call('firewall.add_rule', ok);
    assert.equal(codeOf(r), 'E_NFT_FAILED');
    assert.match(r.ok ? '' : r.error.message, /Operation not permitted/);
    assert.deepEqual(h.state.current.firewall.rules, []);
  });

  test('a failing list (not a missing table) is E_NFT_FAILED and reverts the record', async () => {
    nft.listing = 'not json';
    const r = await h.call('firewall.add_rule', ok);
    assert.equal(codeOf(r), 'E_NFT_FAILED');
    assert.deepEqual(h.state.current.firewall.rules, []);
  });

  test('an ENOENT that is not nft\'s "no such table" answer is an error, not an empty table', async () => {
    const harness = makeHarness(async () => ({ code: 1, stdout: '', stderr: 'Cannot open network namespace "x": No such file or directory\n' }));
    try {
      const r = await harness.call('firewall.list_rules', {});
      assert.equal(codeOf(r), 'E_NFT_FAILED');
      assert.match(r.ok ? '' : r.error.message, /Cannot open network namespace/);
    } finally {
      harness.cleanup();
    }
  });

  test('nft\'s "no such table" answer, with or without a "did you mean" suffix, means the table is missing', async () => {
    for (const stderr of [
      'Error: No such file or directory\nlist table inet hop3\n                ^^^^\n',
      "Error: No such file or directory; did you mean table 'hop3' in family ip?\nlist table inet hop3\n                ^^^^\n",
    ]) {
      const calls: string[] = [];
      const harness = makeHarness(async (req) => {
        calls.push(req.input ?? req.args.join(' '));
        return req.args[0] === '-j' ? { code: 1, stdout: '', stderr } : { code: 0, stdout: '', stderr: '' };
      });
      try {
        assert.equal(codeOf(await harness.call('firewall.add_rule', ok)), 'ok');
        assert.match(calls[1] ?? '', /^add table inet hop3\n/);
      } finally {
        harness.cleanup();
      }
    }
  });

  test('the rule is in the state file before nft is asked to apply it (record first)', async () => {
    let recordedBeforeApply = false;
    const spy = new FakeNft();
    const harness = makeHarness(async (req) => {
      if (req.args[0] === '-f') recordedBeforeApply = harness.state.current.firewall.rules.length === 1;
      return spy.exec(req);
    });
    try {
      result(await harness.call('firewall.add_rule', ok));
      assert.equal(recordedBeforeApply, true);
    } finally {
      harness.cleanup();
    }
  });

  test('remove_rule deletes every live copy of the marked rule by handle and drops the record', async () => {
    const r = result(await h.call('firewall.add_rule', ok));
    const id = (r['rule'] as { id: string }).id;
    nft.listing = intactListing([appRuleJson(10, id, 'tcp', 8448), appRuleJson(12, id, 'tcp', 8448)]);
    nft.calls.length = 0;
    assert.deepEqual(result(await h.call('firewall.remove_rule', { app: 'web', rule_id: id })), { removed: true });
    assert.deepEqual(nft.scripts, ['delete rule inet hop3 apps handle 10\ndelete rule inet hop3 apps handle 12\n']);
    assert.deepEqual(h.state.current.firewall.rules, []);
  });

  test('remove_rule of another app\'s rule id is E_NOT_FOUND and keeps the rule', async () => {
    const r = result(await h.call('firewall.add_rule', ok));
    const id = (r['rule'] as { id: string }).id;
    assert.equal(codeOf(await h.call('firewall.remove_rule', { app: 'other', rule_id: id })), 'E_NOT_FOUND');
    assert.equal(h.state.current.firewall.rules.length, 1);
  });

  test('when nft fails during remove_rule the record is restored at its place', async () => {
    const a = result(await h.call('firewall.add_rule', ok));
    result(await h.call('firewall.add_rule', { ...ok, port: 8449 }));
    const id = (a['rule'] as { id: string }).id;
    nft.listing = intactListing([appRuleJson(10, id, 'tcp', 8448)]);
    nft.applyResult = { code: 1, stdout: '', stderr: 'Error: boom\n' };
    const before = structuredClone(h.state.current.firewall.rules);
    assert.equal(codeOf(await h.call('firewall.remove_rule', { app: 'web', rule_id: id })), 'E_NFT_FAILED');
    assert.deepEqual(h.state.current.firewall.rules, before);
  });

  test('list_rules reports the state\'s rules, filtered by app, each with whether it is live', async () => {
    const a = result(await h.call('firewall.add_rule', ok));
    result(await h.call('firewall.add_rule', { ...ok, app: 'other', port: 9000 }));
    const id = (a['rule'] as { id: string }).id;
    nft.listing = intactListing([appRuleJson(10, id, 'tcp', 8448)]);
    const all = result(await h.call('firewall.list_rules', {}))['rules'] as Array<{ app: string; live: boolean }>;
    assert.deepEqual(all.map((r) => [r.app, r.live]), [['web', true], ['other', false]]);
    const web = result(await h.call('firewall.list_rules', { app: 'web' }))['rules'] as unknown[];
    assert.equal(web.length, 1);
  });

  test('a rule with the right marker but an altered port is reported as not live', async () => {
    const a = result(await h.call('firewall.add_rule', ok));
    nft.listing = intactListing([appRuleJson(10, (a['rule'] as { id: string }).id, 'tcp', 8449)]);
    const all = result(await h.call('firewall.list_rules', {}))['rules'] as Array<{ live: boolean }>;
    assert.equal(all[0]?.live, false);
  });
});
