/**
 * Parser for `nft -j list table inet hop3`: the chains and rules of rootd's
 * table, with each app rule decoded back to (proto, port, source) when it has
 * exactly the shape rootd writes. Anything else decodes to null and is
 * treated as not rootd's (reconcile deletes it).
 */
import type { FirewallProto, PortSpec } from '../../shared-protocol/ops/firewall.ts';
import { FAMILY, TABLE } from './firewall-nft.ts';

export interface LiveChain {
  readonly name: string;
  readonly handle: number;
  readonly type?: string;
  readonly hook?: string;
  readonly prio?: number;
  readonly policy?: string;
}

export interface DecodedRule {
  readonly proto: FirewallProto;
  readonly port: PortSpec;
  /** 'any', or a CIDR `a.b.c.d/len` (a /32 is reported by nft without its prefix; restored here). */
  readonly source: string;
}

export interface LiveRule {
  readonly chain: string;
  readonly handle: number;
  readonly comment: string | null;
  readonly expr: readonly unknown[];
  /** The rule decoded as an app rule, or null if it is not exactly the shape rootd writes. */
  readonly decoded: DecodedRule | null;
}

export interface LiveTable {
  readonly chains: readonly LiveChain[];
  readonly rules: readonly LiveRule[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** Parse nft's JSON listing; only objects of table inet hop3 are kept. Throws on malformed JSON. */
export function parseLiveTable(json: string): LiveTable {
  const doc: unknown = JSON.parse(json);
  if (!isObj(doc) || !Array.isArray(doc['nftables'])) throw new Error('nft -j output has no "nftables" array');
  const chains: LiveChain[] = [];
  const rules: LiveRule[] = [];
  for (const item of doc['nftables'] as unknown[]) {
    if (!isObj(item)) continue;
    const chain = item['chain'];
    if (isObj(chain) && chain['family'] === FAMILY && chain['table'] === TABLE && typeof chain['name'] === 'string') {
      chains.push({
        name: chain['name'],
        handle: typeof chain['handle'] === 'number' ? chain['handle'] : 0,
        ...(typeof chain['type'] === 'string' ? { type: chain['type'] } : {}),
        ...(typeof chain['hook'] === 'string' ? { hook: chain['hook'] } : {}),
        ...(typeof chain['prio'] === 'number' ? { prio: chain['prio'] } : {}),
        ...(typeof chain['policy'] === 'string' ? { policy: chain['policy'] } : {}),
      });
      continue;
    }
    const rule = item['rule'];
    if (isObj(rule) && rule['family'] === FAMILY && rule['table'] === TABLE && typeof rule['chain'] === 'string' && typeof rule['handle'] === 'number') {
      const expr = Array.isArray(rule['expr']) ? (rule['expr'] as unknown[]) : [];
      rules.push({
        chain: rule['chain'],
        handle: rule['handle'],
        comment: typeof rule['comment'] === 'string' ? rule['comment'] : null,
        expr,
        decoded: decodeAppRule(expr),
      });
    }
  }
  return { chains, rules };
}

function matchOf(e: unknown): { left: Obj; right: unknown } | null {
  if (!isObj(e) || !isObj(e['match'])) return null;
  const m = e['match'];
  if (m['op'] !== '==' || !isObj(m['left'])) return null;
  return { left: m['left'], right: m['right'] };
}

function payloadOf(left: Obj): { protocol: unknown; field: unknown } | null {
  const p = left['payload'];
  return isObj(p) ? { protocol: p['protocol'], field: p['field'] } : null;
}

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/** Decode `[ip saddr <cidr>] <tcp|udp> dport <port|range> accept` — the only shape rootd writes in the apps chain. */
export function decodeAppRule(expr: readonly unknown[]): DecodedRule | null {
  let i = 0;
  let source = 'any';
  const first = matchOf(expr[0]);
  const firstPayload = first ? payloadOf(first.left) : null;
  if (first && firstPayload?.protocol === 'ip' && firstPayload.field === 'saddr') {
    const r = first.right;
    if (typeof r === 'string' && IPV4_RE.test(r)) source = `${r}/32`;
    else if (isObj(r) && isObj(r['prefix'])) {
      const { addr, len } = r['prefix'];
      if (typeof addr !== 'string' || !IPV4_RE.test(addr) || typeof len !== 'number' || !Number.isInteger(len) || len < 0 || len > 32) return null;
      source = `${addr}/${len}`;
    } else return null;
    i = 1;
  }
  const dport = matchOf(expr[i]);
  const dp = dport ? payloadOf(dport.left) : null;
  if (!dport || !dp || (dp.protocol !== 'tcp' && dp.protocol !== 'udp') || dp.field !== 'dport') return null;
  let port: PortSpec;
  const r = dport.right;
  if (isPort(r)) port = r;
  else if (isObj(r) && Array.isArray(r['range']) && r['range'].length === 2 && isPort(r['range'][0]) && isPort(r['range'][1])) {
    port = { from: r['range'][0], to: r['range'][1] };
  } else return null;
  const verdict = expr[i + 1];
  if (expr.length !== i + 2 || !isObj(verdict) || !('accept' in verdict) || verdict['accept'] !== null) return null;
  return { proto: dp.protocol, port, source };
}
