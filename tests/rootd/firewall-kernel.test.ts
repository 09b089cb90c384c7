/**
 * firewall.* against the real kernel: the real /usr/sbin/nft, run inside a
 * throwaway network namespace through a generated wrapper that rootd's exec
 * wrapper calls as its (absolute) nft binary. The host's own ruleset is never
 * touched. The traffic test joins two namespaces with a veth pair and shows
 * that add_rule opens exactly the declared port/source and remove_rule
 * closes it again.
 */
import { describe, test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec } from '../../rootd/exec.ts';
import { reconcileFirewall } from '../../rootd/ops/firewall.ts';
import type { FirewallPolicy } from '../../rootd/ops/firewall-nft.ts';
import { codeOf, makeHarness, type Harness, type Reply } from './firewall-fixtures.ts';

const IP = '/usr/sbin/ip';
const NFT = '/usr/sbin/nft';
const canRun = process.getuid?.() === 0 && existsSync(IP) && existsSync(NFT);
const skip = canRun ? false : 'needs root, /usr/sbin/ip and /usr/sbin/nft (runs nft inside a throwaway network namespace)';

let counter = 0;

interface Ns {
  readonly name: string;
  readonly dir: string;
  readonly wrapper: string;
  /** Run the real nft inside the namespace (test-side checks and hand edits). */
  nft(args: string[], input?: string): string;
  ruleset(): NftObject[];
}
type NftObject = Record<string, Record<string, unknown>>;

function makeNs(): Ns {
  const name = `hop3fw-${process.pid}-${++counter}`;
  execFileSync(IP, ['netns', 'add', name]);
  execFileSync(IP, ['-n', name, 'link', 'set', 'lo', 'up']);
  const dir = mkdtempSync(join(tmpdir(), 'hop3fw-'));
  const wrapper = join(dir, 'nft');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${name} ${NFT} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const nft = (args: string[], input?: string): string =>
    execFileSync(IP, ['netns', 'exec', name, NFT, ...args], { input: input ?? '', encoding: 'utf8' });
  return {
    name,
    dir,
    wrapper,
    nft,
    ruleset: () => (JSON.parse(nft(['-j', 'list', 'ruleset'])) as { nftables: NftObject[] }).nftables,
  };
}

function dropNs(ns: Ns | undefined): void {
  if (!ns) return;
  try {
    execFileSync(IP, ['netns', 'delete', ns.name]);
  } finally {
    rmSync(ns.dir, { recursive: true, force: true });
  }
}

/** Rules of one table/chain as [comment, handle] in order. */
function rulesIn(ruleset: NftObject[], table: string, chain: string): Array<[string | undefined, number]> {
  return ruleset
    .filter((o) => o['rule'] && o['rule']['family'] === 'inet' && o['rule']['table'] === table && o['rule']['chain'] === chain)
    .map((o) => [o['rule']?.['comment'] as string | undefined, o['rule']?.['handle'] as number]);
}

const result = (r: Reply): Record<string, unknown> => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.result;
};

describe('firewall ops against real nft in a network namespace', { skip }, () => {
  let ns: Ns | undefined;
  let h: Harness | undefined;
  const setup = (policy: FirewallPolicy = 'drop'): { ns: Ns; h: Harness } => {
    ns = makeNs();
    const exec = createExec({ nft: ns.wrapper, mount: '/usr/bin/mount', umount: '/usr/bin/umount', nginx: '/usr/sbin/nginx' }, 10_000);
    h = makeHarness(exec, policy, ns.wrapper);
    return { ns, h };
  };
  afterEach(() => {
    h?.cleanup();
    h = undefined;
    dropNs(ns);
    ns = undefined;
  });

  test('add, list and remove go through to the kernel, marked hop3:<id>, inside table inet hop3 only', async () => {
    const { ns, h } = setup();
    const a = result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any' }))['rule'] as { id: string };
    const b = result(await h.call('firewall.add_rule', { app: 'mail', port: { from: 2000, to: 2010 }, proto: 'udp', source: '10.0.0.0/8' }))['rule'] as { id: string };
    const rs = ns.ruleset();
    assert.deepEqual(rulesIn(rs, 'hop3', 'apps').map(([c]) => c), [`hop3:${a.id}`, `hop3:${b.id}`]);
    assert.deepEqual(rulesIn(rs, 'hop3', 'input').map(([c]) => c), [
      'hop3-base:established', 'hop3-base:loopback', 'hop3-base:icmp', 'hop3-base:dhcpv6', 'hop3-base:platform', 'hop3-base:apps',
    ]);
    assert.deepEqual(rs.filter((o) => o['table']).map((o) => `${o['table']?.['family']} ${o['table']?.['name']}`), ['inet hop3']);
    const text = ns.nft(['list', 'chain', 'inet', 'hop3', 'apps']);
    assert.match(text, /udp dport 2000-2010/);
    assert.match(text, /ip saddr 10\.0\.0\.0\/8/);

    const listed = result(await h.call('firewall.list_rules', {}))['rules'] as Array<{ id: string; live: boolean }>;
    assert.deepEqual(listed.map((r) => [r.id, r.live]), [[a.id, true], [b.id, true]]);

    assert.deepEqual(result(await h.call('firewall.remove_rule', { app: 'web', rule_id: a.id })), { removed: true });
    assert.deepEqual(rulesIn(ns.ruleset(), 'hop3', 'apps').map(([c]) => c), [`hop3:${b.id}`]);
    assert.equal(codeOf(await h.call('firewall.remove_rule', { app: 'web', rule_id: a.id })), 'E_NOT_FOUND');
  });

  test('adding the same rule twice leaves exactly one rule in the kernel', async () => {
    const { ns, h } = setup();
    const p = { app: 'web', port: 8448, proto: 'tcp', source: '192.168.0.0/16' };
    const first = result(await h.call('firewall.add_rule', p));
    const again = result(await h.call('firewall.add_rule', p));
    assert.deepEqual(first['rule'], again['rule']);
    assert.equal(rulesIn(ns.ruleset(), 'hop3', 'apps').length, 1);
  });

  test('a rule the kernel lost is put back by add_rule of the same rule (idempotent at the kernel too)', async () => {
    const { ns, h } = setup();
    const p = { app: 'web', port: 8448, proto: 'tcp', source: 'any' };
    result(await h.call('firewall.add_rule', p));
    ns.nft(['flush', 'chain', 'inet', 'hop3', 'apps']);
    result(await h.call('firewall.add_rule', p));
    assert.equal(rulesIn(ns.ruleset(), 'hop3', 'apps').length, 1);
  });

  test('reconcile converges: foreign marked rule and duplicate deleted, hand-deleted rule re-added, other tables untouched', async () => {
    const { ns, h } = setup();
    const a = result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any' }))['rule'] as { id: string };
    const b = result(await h.call('firewall.add_rule', { app: 'mail', port: 2525, proto: 'tcp', source: '10.1.0.0/16' }))['rule'] as { id: string };
    // An operator's own table, with a rule that even carries a hop3-style marker: rootd must never touch it.
    ns.nft(['-f', '-'], [
      'add table inet operator',
      'add chain inet operator input { type filter hook input priority 10; policy accept; }',
      'add rule inet operator input tcp dport 5555 accept comment "hop3:fw-eeeeeeeeeeeeeeee"',
      'add table ip legacy',
      'add chain ip legacy stuff',
      'add rule ip legacy stuff udp dport 53 accept',
      '',
    ].join('\n'));
    const foreignBefore = ns.ruleset().filter((o) => !JSON.stringify(o).includes('"hop3"'));
    // Hand edits inside table inet hop3.
    const bHandle = rulesIn(ns.ruleset(), 'hop3', 'apps').find(([c]) => c === `hop3:${b.id}`)?.[1];
    assert.ok(bHandle);
    ns.nft(['-f', '-'], [
      `delete rule inet hop3 apps handle ${bHandle}`,
      'add rule inet hop3 apps udp dport 6000 accept comment "hop3:fw-ffffffffffffffff"',
      `add rule inet hop3 apps tcp dport 8448 accept comment "hop3:${a.id}"`,
      'add rule inet hop3 apps tcp dport 7777 accept',
      'add chain inet hop3 stray',
      'add rule inet hop3 stray tcp dport 1 accept',
      'add rule inet hop3 apps jump stray',
      '',
    ].join('\n'));

    const report = await reconcileFirewall(h.deps);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.changes.map((c) => c.replace(/handle \d+/, 'handle N')).sort(), [
      `added missing rule ${b.id} (app mail, tcp 2525 from 10.1.0.0/16)`,
      `deleted a duplicate of rule ${a.id}`,
      'deleted an unmarked rule (handle N) from chain apps',
      'deleted an unmarked rule (handle N) from chain apps',
      'deleted chain stray, which rootd did not create',
      'deleted rule fw-ffffffffffffffff, which the state does not hold',
    ].sort());

    const after = ns.ruleset();
    assert.deepEqual(rulesIn(after, 'hop3', 'apps').map(([c]) => c), [`hop3:${a.id}`, `hop3:${b.id}`]);
    assert.equal(after.some((o) => o['chain']?.['name'] === 'stray'), false);
    assert.deepEqual(after.filter((o) => !JSON.stringify(o).includes('"hop3"')), foreignBefore);
    // Converged: a second pass has nothing to do.
    assert.deepEqual(await reconcileFirewall(h.deps), { changes: [], errors: [] });
  });

  test('reconcile on an empty ruleset creates the table, restores a broken base chain, and sets the configured policy', async () => {
    const { ns, h } = setup('accept');
    result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any' }));
    ns.nft(['delete', 'table', 'inet', 'hop3']);
    const first = await reconcileFirewall(h.deps);
    assert.deepEqual(first.errors, []);
    assert.match(first.changes[0] ?? '', /created table inet hop3 with chains input \(policy accept\) and apps/);
    const input = ns.ruleset().find((o) => o['chain']?.['name'] === 'input')?.['chain'];
    assert.equal(input?.['policy'], 'accept');
    assert.equal(input?.['hook'], 'input');

    // Break the base chain by hand: delete a fixed rule and add one of our own.
    const platform = rulesIn(ns.ruleset(), 'hop3', 'input').find(([c]) => c === 'hop3-base:platform')?.[1];
    ns.nft(['delete', 'rule', 'inet', 'hop3', 'input', 'handle', String(platform)]);
    ns.nft(['add', 'rule', 'inet', 'hop3', 'input', 'tcp', 'dport', '9999', 'accept']);
    const second = await reconcileFirewall(h.deps);
    assert.deepEqual(second.changes, ['restored the fixed rules of chain input (found 6 rules, expected 6 in order)']);
    assert.equal(rulesIn(ns.ruleset(), 'hop3', 'input').length, 6);
    assert.doesNotMatch(ns.nft(['list', 'table', 'inet', 'hop3']), /9999/);
    assert.deepEqual(await reconcileFirewall(h.deps), { changes: [], errors: [] });
  });

  test('concurrent add and remove calls are serialized: 20 parallel adds give 20 kernel rules, then parallel removes leave none', async () => {
    const { ns, h } = setup();
    const started = performance.now();
    const adds = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h.call('firewall.add_rule', { app: `app-${i % 4}`, port: 21000 + i, proto: 'tcp', source: 'any' })),
    );
    const perOp = (performance.now() - started) / 20;
    const ids = adds.map((r) => (result(r)['rule'] as { id: string }).id);
    assert.deepEqual(rulesIn(ns.ruleset(), 'hop3', 'apps').map(([c]) => c).sort(), ids.map((id) => `hop3:${id}`).sort());
    await Promise.all(ids.map((id, i) => h.call('firewall.remove_rule', { app: `app-${i % 4}`, rule_id: id })));
    assert.deepEqual(rulesIn(ns.ruleset(), 'hop3', 'apps'), []);
    assert.deepEqual(h.state.current.firewall.rules, []);
    console.log(`firewall.add_rule through real nft in a netns: ${perOp.toFixed(1)} ms per op (list + one transaction)`);
  });

  test('add_rule repairs a base chain someone re-hooked at output before adding its rule', async () => {
    const { ns, h } = setup();
    ns.nft(['-f', '-'], 'add table inet hop3\nadd chain inet hop3 input { type filter hook output priority 0; }\n');
    result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any' }));
    const input = ns.ruleset().find((o) => o['chain']?.['name'] === 'input')?.['chain'];
    assert.equal(input?.['hook'], 'input');
    assert.equal(rulesIn(ns.ruleset(), 'hop3', 'apps').length, 1);
  });

  test('when nft cannot run the transaction, add_rule replies E_NFT_FAILED and the state is unchanged', async () => {
    const { ns, h } = setup();
    result(await h.call('firewall.add_rule', { app: 'web', port: 8448, proto: 'tcp', source: 'any' }));
    // Point the wrapper at a namespace that does not exist: every nft call now fails.
    writeFileSync(ns.wrapper, `#!/bin/sh\nexec ${IP} netns exec ${ns.name}-gone ${NFT} "$@"\n`);
    const r = await h.call('firewall.add_rule', { app: 'web', port: 8449, proto: 'tcp', source: 'any' });
    assert.equal(codeOf(r), 'E_NFT_FAILED');
    assert.equal(h.state.current.firewall.rules.length, 1);
  });
});

describe('firewall rules change traffic (two namespaces joined by a veth pair)', { skip }, () => {
  let server: Ns | undefined;
  let client: string | undefined;
  let listener: ChildProcess | undefined;
  let h: Harness | undefined;
  const port = 20000 + Math.floor(Math.random() * 10000);

  beforeEach(async () => {
    server = makeNs();
    client = `hop3fw-${process.pid}-${++counter}c`;
    execFileSync(IP, ['netns', 'add', client]);
    execFileSync(IP, ['-n', server.name, 'link', 'add', 'hop3s', 'type', 'veth', 'peer', 'name', 'hop3c', 'netns', client]);
    execFileSync(IP, ['-n', server.name, 'addr', 'add', '10.77.0.1/24', 'dev', 'hop3s']);
    execFileSync(IP, ['-n', client, 'addr', 'add', '10.77.0.2/24', 'dev', 'hop3c']);
    execFileSync(IP, ['-n', server.name, 'link', 'set', 'hop3s', 'up']);
    execFileSync(IP, ['-n', client, 'link', 'set', 'hop3c', 'up']);
    const exec = createExec({ nft: server.wrapper, mount: '/usr/bin/mount', umount: '/usr/bin/umount', nginx: '/usr/sbin/nginx' }, 10_000);
    h = makeHarness(exec, 'drop', server.wrapper);
    const code = `require('net').createServer((s) => s.end('hello')).listen(${port}, '10.77.0.1', () => console.log('ready'))`;
    listener = spawn(IP, ['netns', 'exec', server.name, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      listener?.stdout?.once('data', () => resolve());
      listener?.once('exit', (c) => reject(new Error(`listener exited ${c}`)));
    });
  });
  afterEach(() => {
    if (listener?.pid !== undefined && listener.exitCode === null) listener.kill('SIGKILL');
    listener = undefined;
    h?.cleanup();
    h = undefined;
    if (client) execFileSync(IP, ['netns', 'delete', client]);
    client = undefined;
    dropNs(server);
    server = undefined;
  });

  /** Connect from the client namespace: 'open' (got the greeting) or 'blocked' (no answer within 700 ms). */
  const probe = (): string => {
    const code =
      `const s = require('net').connect(${port}, '10.77.0.1'); s.setTimeout(700, () => { console.log('blocked'); process.exit(0); });` +
      `s.on('data', () => { console.log('open'); process.exit(0); }); s.on('error', (e) => { console.log('error ' + e.code); process.exit(0); });`;
    return execFileSync(IP, ['netns', 'exec', client ?? '', process.execPath, '-e', code], { encoding: 'utf8' }).trim();
  };

  test('the port is reachable without the table, blocked under policy drop, opened by add_rule, closed by remove_rule', async () => {
    assert.ok(h && server);
    assert.equal(probe(), 'open');
    const rec = await reconcileFirewall(h.deps);
    assert.deepEqual(rec.errors, []);
    assert.equal(probe(), 'blocked');
    const added = result(await h.call('firewall.add_rule', { app: 'web', port, proto: 'tcp', source: 'any' }))['rule'] as { id: string };
    assert.equal(probe(), 'open');
    result(await h.call('firewall.remove_rule', { app: 'web', rule_id: added.id }));
    assert.equal(probe(), 'blocked');
  });

  test('a source CIDR opens the port only to clients inside it; a range opens every port it covers', async () => {
    assert.ok(h);
    await reconcileFirewall(h.deps);
    const elsewhere = result(await h.call('firewall.add_rule', { app: 'web', port, proto: 'tcp', source: '10.78.0.0/16' }))['rule'] as { id: string };
    assert.equal(probe(), 'blocked');
    result(await h.call('firewall.remove_rule', { app: 'web', rule_id: elsewhere.id }));
    result(await h.call('firewall.add_rule', { app: 'web', port, proto: 'tcp', source: '10.77.0.2/32' }));
    assert.equal(probe(), 'open');
    const h2 = h;
    const all = result(await h2.call('firewall.list_rules', {}))['rules'] as Array<{ id: string }>;
    for (const r of all) result(await h2.call('firewall.remove_rule', { app: 'web', rule_id: r.id }));
    assert.equal(probe(), 'blocked');
    result(await h2.call('firewall.add_rule', { app: 'web', port: { from: port - 5, to: port + 5 }, proto: 'tcp', source: '10.77.0.0/24' }));
    assert.equal(probe(), 'open');
  });
});
