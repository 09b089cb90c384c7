/**
 * Pure parts of the firewall family: validators, nft builders (exact strings
 * and argv), the parser of `nft -j list`, and the reconcile planner.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { FirewallRule } from '../../shared-protocol/ops/firewall.ts';
import { decideClaim, parseCidr, portBounds, ruleId, validateRule } from '../../rootd/ops/firewall-validate.ts';
import {
  APPLY_ARGV,
  LIST_ARGV,
  addRuleLine,
  baseChainDecl,
  deleteChainLine,
  deleteRuleLine,
  flushChainLine,
  ruleBody,
  script,
  skeletonLines,
} from '../../rootd/ops/firewall-nft.ts';
import { decodeAppRule, parseLiveTable } from '../../rootd/ops/firewall-live.ts';
import { planOneRule, planReconcile, planSkeleton } from '../../rootd/ops/firewall-plan.ts';
import { appRuleJson, intactListing, listingOf } from './firewall-fixtures.ts';

const codeOfThrow = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return isHop3Error(e) ? e.code : `untyped: ${(e as Error).message}`;
  }
};

describe('parseCidr', () => {
  const bad = [
    '10.0.0.1/8', '192.168.1.1/24', '1.2.3.4/0', '10.0.0.0/33', '300.1.1.1/32', '256.0.0.0/8', '1.2.3/24',
    '1.2.3.4.5/32', '010.0.0.0/8', '10.0.0.0/08', '10.0.0.0', '10.0.0.0/', '/8', '10.0.0.0/8/8', ' 10.0.0.0/8',
    '10.0.0.0/-1', 'a.b.c.d/8', '', '1e1.0.0.0/8', '0x0a.0.0.0/8',
  ];
  for (const text of bad) {
    test(`${JSON.stringify(text)} is refused with E_INVALID_CIDR`, () => {
      assert.equal(codeOfThrow(() => parseCidr(text)), 'E_INVALID_CIDR');
    });
  }
  const good: Array<[string, number]> = [['0.0.0.0/0', 0], ['10.0.0.0/8', 8], ['192.168.1.128/25', 25], ['1.2.3.4/32', 32], ['255.255.255.255/32', 32]];
  for (const [text, len] of good) {
    test(`${text} is a canonical CIDR with prefix ${len}`, () => {
      assert.equal(parseCidr(text).len, len);
    });
  }
  test('the host-bits message names the network address to use instead', () => {
    assert.throws(() => parseCidr('10.1.2.3/16'), /the network is 10\.1\.0\.0\/16/);
  });
});

describe('portBounds', () => {
  const cases: Array<[string, Parameters<typeof portBounds>[0], string]> = [
    ['port 22', 22, 'E_PORT_RESERVED'],
    ['port 80', 80, 'E_PORT_RESERVED'],
    ['port 443', 443, 'E_PORT_RESERVED'],
    ['range 1-1000 (contains all three)', { from: 1, to: 1000 }, 'E_PORT_RESERVED'],
    ['range 442-444', { from: 442, to: 444 }, 'E_PORT_RESERVED'],
    ['range 5-5', { from: 5, to: 5 }, 'E_INVALID_PORT_RANGE'],
    ['range 9-8', { from: 9, to: 8 }, 'E_INVALID_PORT_RANGE'],
    ['range 2000-3000 (1001 ports)', { from: 2000, to: 3000 }, 'E_INVALID_PORT_RANGE'],
    ['range 2000-2999 (1000 ports)', { from: 2000, to: 2999 }, 'ok'],
    ['range 23-79 (between reserved ports)', { from: 23, to: 79 }, 'ok'],
    ['port 1', 1, 'ok'],
    ['port 65535', 65535, 'ok'],
  ];
  for (const [what, spec, code] of cases) {
    test(`${what} → ${code}`, () => assert.equal(codeOfThrow(() => portBounds(spec)), code));
  }
});

describe('rule ids and claims', () => {
  test('a rule id is stable and depends on app, proto, port and source', () => {
    const id = ruleId('web', 'tcp', 8448, 'any');
    assert.match(id, /^fw-[0-9a-f]{16}$/);
    assert.equal(ruleId('web', 'tcp', 8448, 'any'), id);
    for (const other of [
      ruleId('web2', 'tcp', 8448, 'any'),
      ruleId('web', 'udp', 8448, 'any'),
      ruleId('web', 'tcp', 8449, 'any'),
      ruleId('web', 'tcp', 8448, '10.0.0.0/8'),
      ruleId('web', 'tcp', { from: 8448, to: 8449 }, 'any'),
    ]) assert.notEqual(other, id);
  });

  const held = validateRule({ app: 'web', proto: 'tcp', port: { from: 9000, to: 9010 }, source: 'any' });
  const claims: Array<[string, Parameters<typeof validateRule>[0], string]> = [
    ['the same rule of the same app', { app: 'web', proto: 'tcp', port: { from: 9000, to: 9010 }, source: 'any' }, 'existing'],
    ['a port inside the range for another app', { app: 'b', proto: 'tcp', port: 9005, source: 'any' }, 'E_PORT_CLAIMED'],
    ['a range touching its upper end for another app', { app: 'b', proto: 'tcp', port: { from: 9010, to: 9020 }, source: 'any' }, 'E_PORT_CLAIMED'],
    ['a range covering it for another app', { app: 'b', proto: 'tcp', port: { from: 8500, to: 9499 }, source: '10.0.0.0/8' }, 'E_PORT_CLAIMED'],
    ['the port just above for another app', { app: 'b', proto: 'tcp', port: 9011, source: 'any' }, 'new'],
    ['the same range on udp for another app', { app: 'b', proto: 'udp', port: { from: 9000, to: 9010 }, source: 'any' }, 'new'],
    ['an overlapping range of the same app', { app: 'web', proto: 'tcp', port: 9005, source: 'any' }, 'new'],
  ];
  for (const [what, input, expected] of claims) {
    test(`claiming ${what} → ${expected}`, () => {
      let got: string;
      try {
        got = decideClaim([held], validateRule(input)).kind;
      } catch (e) {
        got = isHop3Error(e) ? e.code : 'untyped';
      }
      assert.equal(got, expected);
    });
  }

  test('an app holding 64 rules cannot add a 65th (E_TOO_MANY_RULES)', () => {
    const rules = Array.from({ length: 64 }, (_, i) => validateRule({ app: 'web', proto: 'tcp', port: 10000 + i, source: 'any' }));
    assert.equal(codeOfThrow(() => decideClaim(rules, validateRule({ app: 'web', proto: 'tcp', port: 20000, source: 'any' }))), 'E_TOO_MANY_RULES');
  });
});

describe('nft builders', () => {
  const id = 'fw-0123456789abcdef';
  test('the only read is nft -j list table inet hop3; every change is nft -f -', () => {
    assert.deepEqual(LIST_ARGV, ['-j', 'list', 'table', 'inet', 'hop3']);
    assert.deepEqual(APPLY_ARGV, ['-f', '-']);
  });
  const bodies: Array<[string, Pick<FirewallRule, 'id' | 'proto' | 'port' | 'source'>, string]> = [
    ['a tcp port from any', { id, proto: 'tcp', port: 8448, source: 'any' }, `tcp dport 8448 accept comment "hop3:${id}"`],
    ['a udp range from a CIDR', { id, proto: 'udp', port: { from: 9000, to: 9010 }, source: '10.0.0.0/8' }, `ip saddr 10.0.0.0/8 udp dport 9000-9010 accept comment "hop3:${id}"`],
    ['a single host', { id, proto: 'tcp', port: 1935, source: '203.0.113.7/32' }, `ip saddr 203.0.113.7/32 tcp dport 1935 accept comment "hop3:${id}"`],
  ];
  for (const [what, rule, body] of bodies) {
    test(`the rule body for ${what} is exact`, () => {
      assert.equal(ruleBody(rule), body);
      assert.equal(addRuleLine(rule), `add rule inet hop3 apps ${body}`);
    });
  }
  const refused: Array<[string, Pick<FirewallRule, 'id' | 'proto' | 'port' | 'source'>]> = [
    ['an id with a quote', { id: 'fw-0123456789abcde"', proto: 'tcp', port: 1, source: 'any' }],
    ['a source with a statement', { id, proto: 'tcp', port: 1, source: '10.0.0.0/8 counter' }],
    ['a port above 65535', { id, proto: 'tcp', port: 70000, source: 'any' }],
    ['a proto outside tcp/udp', { id, proto: 'sctp' as 'tcp', port: 1, source: 'any' }],
  ];
  for (const [what, rule] of refused) {
    test(`the builder refuses ${what} even if it got past validation`, () => {
      assert.throws(() => ruleBody(rule), /nft builder/);
    });
  }
  test('delete, flush and chain lines are exact and refuse bad names or handles', () => {
    assert.equal(deleteRuleLine('apps', 12), 'delete rule inet hop3 apps handle 12');
    assert.equal(flushChainLine('stray'), 'flush chain inet hop3 stray');
    assert.equal(deleteChainLine('stray'), 'delete chain inet hop3 stray');
    assert.equal(baseChainDecl('accept'), 'add chain inet hop3 input { type filter hook input priority filter; policy accept; }');
    assert.throws(() => deleteRuleLine('apps', 0));
    assert.throws(() => deleteRuleLine('apps; flush ruleset', 3));
    assert.throws(() => flushChainLine('a b'));
  });
  test('re-creating a mis-hooked base chain flushes and deletes it before declaring it again', () => {
    assert.deepEqual(skeletonLines({ policy: 'drop', recreateBaseChain: true, baseChainExists: true }).slice(0, 5), [
      'add table inet hop3',
      'flush chain inet hop3 input',
      'delete chain inet hop3 input',
      'add chain inet hop3 input { type filter hook input priority filter; policy drop; }',
      'add chain inet hop3 apps',
    ]);
  });
  test('a script is newline-joined and refuses a line with a line break', () => {
    assert.equal(script(['a', 'b']), 'a\nb\n');
    assert.equal(script([]), '');
    assert.throws(() => script(['add table inet hop3\nflush ruleset']));
  });
});

describe('parsing nft -j list', () => {
  // Captured from nft 1.0.6 in a network namespace (see the kernel test for the live round trip).
  const captured = listingOf([
    { table: { family: 'inet', name: 'hop3', handle: 1 } },
    { chain: { family: 'inet', table: 'hop3', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
    { chain: { family: 'inet', table: 'hop3', name: 'apps', handle: 2 } },
    { rule: { family: 'inet', table: 'hop3', chain: 'apps', handle: 10, comment: 'hop3:fw-0123456789abcdef', expr: [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } }, { accept: null }] } },
    { rule: { family: 'inet', table: 'hop3', chain: 'apps', handle: 11, comment: 'hop3:fw-0123456789abcdee', expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.0.0.0', len: 8 } } } }, { match: { op: '==', left: { payload: { protocol: 'udp', field: 'dport' } }, right: { range: [9000, 9010] } } }, { accept: null }] } },
    { rule: { family: 'inet', table: 'hop3', chain: 'apps', handle: 12, expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '1.2.3.4' } }, { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 7001 } }, { accept: null }] } },
    { rule: { family: 'inet', table: 'other', chain: 'x', handle: 3, expr: [] } },
  ]);
  test('chains and rules of table inet hop3 are read, other tables ignored', () => {
    const t = parseLiveTable(captured);
    assert.deepEqual(t.chains.map((c) => c.name), ['input', 'apps']);
    assert.deepEqual(t.chains[0], { name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' });
    assert.deepEqual(t.rules.map((r) => [r.handle, r.comment]), [[10, 'hop3:fw-0123456789abcdef'], [11, 'hop3:fw-0123456789abcdee'], [12, null]]);
  });
  test('app rules decode back to proto, port and source; a /32 regains its prefix', () => {
    const t = parseLiveTable(captured);
    assert.deepEqual(t.rules.map((r) => r.decoded), [
      { proto: 'tcp', port: 8080, source: 'any' },
      { proto: 'udp', port: { from: 9000, to: 9010 }, source: '10.0.0.0/8' },
      { proto: 'tcp', port: 7001, source: '1.2.3.4/32' },
    ]);
  });
  const undecodable: Array<[string, unknown[]]> = [
    ['a drop verdict', [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } }, { drop: null }]],
    ['an extra counter', [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } }, { counter: { packets: 0, bytes: 0 } }, { accept: null }]],
    ['a != match', [{ match: { op: '!=', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 8080 } }, { accept: null }]],
    ['a port set', [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { set: [1, 2] } } }, { accept: null }]],
    ['an sport match', [{ match: { op: '==', left: { payload: { protocol: 'tcp', field: 'sport' } }, right: 8080 } }, { accept: null }]],
    ['an ip6 source', [{ match: { op: '==', left: { payload: { protocol: 'ip6', field: 'saddr' } }, right: '::1' } }, { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 1 } }, { accept: null }]],
    ['a jump', [{ jump: { target: 'apps' } }]],
  ];
  for (const [what, expr] of undecodable) {
    test(`a rule with ${what} does not decode as an app rule`, () => assert.equal(decodeAppRule(expr), null));
  }
  test('output without an nftables array is refused', () => {
    assert.throws(() => parseLiveTable('{"x":1}'));
    assert.throws(() => parseLiveTable('nope'));
  });
});

describe('reconcile planning', () => {
  const a = validateRule({ app: 'web', proto: 'tcp', port: 8448, source: 'any' });
  const b = validateRule({ app: 'mail', proto: 'tcp', port: { from: 2000, to: 2010 }, source: '10.0.0.0/8' });
  const aLive = (h: number) => appRuleJson(h, a.id, 'tcp', 8448);
  const bLive = (h: number) => appRuleJson(h, b.id, 'tcp', [2000, 2010], { prefix: { addr: '10.0.0.0', len: 8 } });

  test('a converged table needs no script and reports no change', () => {
    const plan = planReconcile([a, b], parseLiveTable(intactListing([aLive(10), bLive(11)])), 'drop');
    assert.deepEqual(plan, { lines: [], changes: [] });
  });
  test('a missing table is created with its skeleton and every state rule', () => {
    const plan = planReconcile([a], null, 'drop');
    assert.equal(plan.lines[0], 'add table inet hop3');
    assert.equal(plan.lines.at(-1), addRuleLine(a));
    assert.deepEqual(plan.changes, [
      'created table inet hop3 with chains input (policy drop) and apps',
      `added missing rule ${a.id} (app web, tcp 8448 from any)`,
    ]);
  });
  test('missing, duplicate, foreign-marked, unmarked and altered rules are each fixed and reported', () => {
    const foreignId = 'fw-ffffffffffffffff';
    const live = parseLiveTable(
      intactListing([
        aLive(10),
        aLive(11), // duplicate
        appRuleJson(12, foreignId, 'udp', 5000), // marked, not in state
        { rule: { family: 'inet', table: 'hop3', chain: 'apps', handle: 13, expr: [{ accept: null }] } }, // unmarked
        appRuleJson(14, b.id, 'tcp', [2000, 2011], { prefix: { addr: '10.0.0.0', len: 8 } }), // altered range
      ]),
    );
    const plan = planReconcile([a, b], live, 'drop');
    assert.deepEqual(plan.lines, [
      'delete rule inet hop3 apps handle 11',
      'delete rule inet hop3 apps handle 12',
      'delete rule inet hop3 apps handle 13',
      'delete rule inet hop3 apps handle 14',
      addRuleLine(b),
    ]);
    assert.deepEqual(plan.changes, [
      `deleted a duplicate of rule ${a.id}`,
      `deleted rule ${foreignId}, which the state does not hold`,
      'deleted an unmarked rule (handle 13) from chain apps',
      `deleted rule ${b.id}, whose match no longer says tcp 2000-2010 from 10.0.0.0/8`,
      `added missing rule ${b.id} (app mail, tcp 2000-2010 from 10.0.0.0/8)`,
    ]);
  });
  test('a policy change, a tampered base rule and a stray chain are repaired in one transaction', () => {
    const doc = JSON.parse(intactListing([aLive(10)])) as { nftables: Array<Record<string, Record<string, unknown>>> };
    const chain = doc.nftables.find((o) => o['chain']?.['name'] === 'input');
    if (chain?.['chain']) chain['chain']['policy'] = 'accept';
    doc.nftables = doc.nftables.filter((o) => o['rule']?.['comment'] !== 'hop3-base:platform');
    doc.nftables.push({ chain: { family: 'inet', table: 'hop3', name: 'stray', handle: 40 } });
    const plan = planReconcile([a], parseLiveTable(JSON.stringify(doc)), 'drop');
    assert.deepEqual(plan.changes, [
      'set the policy of chain input to drop (was accept)',
      'restored the fixed rules of chain input (found 5 rules, expected 6 in order)',
      'deleted chain stray, which rootd did not create',
    ]);
    assert.equal(plan.lines[1], 'flush chain inet hop3 input');
    assert.deepEqual(plan.lines.slice(-2), ['flush chain inet hop3 stray', 'delete chain inet hop3 stray']);
  });
  test('a base chain hooked elsewhere is re-created', () => {
    const doc = JSON.parse(intactListing([])) as { nftables: Array<Record<string, Record<string, unknown>>> };
    const chain = doc.nftables.find((o) => o['chain']?.['name'] === 'input');
    if (chain?.['chain']) chain['chain']['hook'] = 'output';
    const plan = planSkeleton(parseLiveTable(JSON.stringify(doc)), 'drop');
    assert.ok(plan.lines.includes('delete chain inet hop3 input'));
    assert.match(plan.changes[0] ?? '', /re-created chain input/);
  });
  test('a one-rule plan touches only rules carrying that rule\'s marker', () => {
    const live = parseLiveTable(intactListing([aLive(10), appRuleJson(12, 'fw-ffffffffffffffff', 'udp', 5000)]));
    assert.deepEqual(planOneRule(live, a.id, null, 'drop').lines, ['delete rule inet hop3 apps handle 10']);
    assert.deepEqual(planOneRule(live, b.id, b, 'drop').lines, [addRuleLine(b)]);
  });
});
