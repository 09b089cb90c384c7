/**
 * Pure nft builders for table inet hop3: argv arrays, script lines fed to
 * `nft -f -` (one atomic transaction per script), and the base chain's fixed
 * rules. Every interpolated value is re-checked here against its pattern, so
 * nothing but a validated id, port, protocol or CIDR can reach a script.
 */
import { IPV4_CIDR_PATTERN, RULE_ID_PATTERN, type FirewallRule } from '../../shared-protocol/ops/firewall.ts';

export const FAMILY = 'inet';
export const TABLE = 'hop3';
export const BASE_CHAIN = 'input';
export const APPS_CHAIN = 'apps';
/** Comment prefix of an app rule: `hop3:<rule-id>`. */
export const RULE_MARK = 'hop3:';
/** Comment prefix of a fixed base-chain rule: `hop3-base:<name>`. */
export const BASE_MARK = 'hop3-base:';

export type FirewallPolicy = 'drop' | 'accept';

/** `nft -j list table inet hop3`: the only read rootd does. */
export const LIST_ARGV: readonly string[] = ['-j', 'list', 'table', FAMILY, TABLE];
/** `nft -f -`: every change is a script on stdin, applied as one transaction. */
export const APPLY_ARGV: readonly string[] = ['-f', '-'];

export interface BaseRule {
  readonly name: string;
  /** nft syntax (without the comment). */
  readonly text: string;
  /** The expr nft 1.0.x reports for it in JSON (reconcile compares against it). */
  readonly expr: readonly unknown[];
}

const ACCEPT = { accept: null } as const;
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });

/**
 * The base chain's fixed rules, in order. Replies to connections the host
 * opened, loopback, ICMP/ICMPv6 (path MTU, neighbour discovery), DHCPv6
 * replies, and the platform's own ports (SSH, HTTP, HTTPS) are always let in;
 * then the apps chain decides; whatever is left meets the chain policy.
 */
export const BASE_RULES: readonly BaseRule[] = [
  {
    name: 'established',
    text: 'ct state established,related accept',
    expr: [{ match: { op: 'in', left: { ct: { key: 'state' } }, right: ['established', 'related'] } }, ACCEPT],
  },
  {
    name: 'loopback',
    text: 'iif "lo" accept',
    expr: [{ match: { op: '==', left: { meta: { key: 'iif' } }, right: 'lo' } }, ACCEPT],
  },
  {
    name: 'icmp',
    text: 'meta l4proto { icmp, ipv6-icmp } accept',
    expr: [{ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: { set: ['icmp', 'ipv6-icmp'] } } }, ACCEPT],
  },
  {
    name: 'dhcpv6',
    text: 'ip6 saddr fe80::/10 udp dport 546 accept',
    expr: [
      { match: { op: '==', left: payload('ip6', 'saddr'), right: { prefix: { addr: 'fe80::', len: 10 } } } },
      { match: { op: '==', left: payload('udp', 'dport'), right: 546 } },
      ACCEPT,
    ],
  },
  {
    name: 'platform',
    text: 'tcp dport { 22, 80, 443 } accept',
    expr: [{ match: { op: '==', left: payload('tcp', 'dport'), right: { set: [22, 80, 443] } } }, ACCEPT],
  },
  {
    name: 'apps',
    text: `jump ${APPS_CHAIN}`,
    expr: [{ jump: { target: APPS_CHAIN } }],
  },
];

const CIDR_RE = new RegExp(IPV4_CIDR_PATTERN);
const ID_RE = new RegExp(RULE_ID_PATTERN);

function assertPort(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`nft builder: bad port ${String(n)}`);
  return n;
}

/** The match + verdict + marker of an app rule, e.g. `ip saddr 10.0.0.0/8 udp dport 9000-9010 accept comment "hop3:fw-…"`. */
export function ruleBody(rule: Pick<FirewallRule, 'id' | 'proto' | 'port' | 'source'>): string {
  if (!ID_RE.test(rule.id)) throw new Error(`nft builder: bad rule id ${JSON.stringify(rule.id)}`);
  if (rule.proto !== 'tcp' && rule.proto !== 'udp') throw new Error(`nft builder: bad proto ${JSON.stringify(rule.proto)}`);
  if (rule.source !== 'any' && !CIDR_RE.test(rule.source)) throw new Error(`nft builder: bad source ${JSON.stringify(rule.source)}`);
  const ports =
    typeof rule.port === 'number' ? `${assertPort(rule.port)}` : `${assertPort(rule.port.from)}-${assertPort(rule.port.to)}`;
  const src = rule.source === 'any' ? '' : `ip saddr ${rule.source} `;
  return `${src}${rule.proto} dport ${ports} accept comment "${RULE_MARK}${rule.id}"`;
}

export function addRuleLine(rule: Pick<FirewallRule, 'id' | 'proto' | 'port' | 'source'>): string {
  return `add rule ${FAMILY} ${TABLE} ${APPS_CHAIN} ${ruleBody(rule)}`;
}

const CHAIN_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export function deleteRuleLine(chain: string, handle: number): string {
  if (!CHAIN_NAME_RE.test(chain)) throw new Error(`nft builder: bad chain name ${JSON.stringify(chain)}`);
  if (!Number.isInteger(handle) || handle < 1) throw new Error(`nft builder: bad handle ${String(handle)}`);
  return `delete rule ${FAMILY} ${TABLE} ${chain} handle ${handle}`;
}

/** Flush then delete a chain rootd did not create (flushes come first in the script, see planReconcile). */
export function flushChainLine(chain: string): string {
  if (!CHAIN_NAME_RE.test(chain)) throw new Error(`nft builder: bad chain name ${JSON.stringify(chain)}`);
  return `flush chain ${FAMILY} ${TABLE} ${chain}`;
}

export function deleteChainLine(chain: string): string {
  if (!CHAIN_NAME_RE.test(chain)) throw new Error(`nft builder: bad chain name ${JSON.stringify(chain)}`);
  return `delete chain ${FAMILY} ${TABLE} ${chain}`;
}

export function baseChainDecl(policy: FirewallPolicy): string {
  if (policy !== 'drop' && policy !== 'accept') throw new Error(`nft builder: bad policy ${JSON.stringify(policy)}`);
  return `add chain ${FAMILY} ${TABLE} ${BASE_CHAIN} { type filter hook input priority filter; policy ${policy}; }`;
}

export interface SkeletonOptions {
  readonly policy: FirewallPolicy;
  /** The live base chain has the wrong type/hook/priority: delete and re-create it. */
  readonly recreateBaseChain: boolean;
  /** The base chain exists: flush it before re-adding the fixed rules. */
  readonly baseChainExists: boolean;
}

/**
 * Lines that (re)create the table, both chains and the base chain's fixed
 * rules. Applied in the same transaction as everything else, so there is no
 * instant with an empty base chain under a drop policy.
 */
export function skeletonLines(o: SkeletonOptions): string[] {
  const lines = [`add table ${FAMILY} ${TABLE}`];
  if (o.baseChainExists) {
    lines.push(flushChainLine(BASE_CHAIN));
    if (o.recreateBaseChain) lines.push(deleteChainLine(BASE_CHAIN));
  }
  lines.push(baseChainDecl(o.policy), `add chain ${FAMILY} ${TABLE} ${APPS_CHAIN}`);
  for (const r of BASE_RULES) lines.push(`add rule ${FAMILY} ${TABLE} ${BASE_CHAIN} ${r.text} comment "${BASE_MARK}${r.name}"`);
  return lines;
}

/** One nft script (newline-terminated) from lines; empty when there is nothing to do. */
export function script(lines: readonly string[]): string {
  for (const l of lines) if (/[\n\r\0]/.test(l)) throw new Error('nft builder: a script line contains a line break or NUL');
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
