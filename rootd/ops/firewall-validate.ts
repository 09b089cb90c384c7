/**
 * Pure checks for firewall rules, beyond what the op schema can express:
 * CIDR host bits, range order and span, reserved ports, claims between apps,
 * and the stable rule id. Each failure is a Hop3Error with its own code.
 */
import { createHash } from 'node:crypto';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import {
  MAX_RANGE_SPAN,
  MAX_RULES_PER_APP,
  MAX_RULES_TOTAL,
  RESERVED_PORTS,
  type FirewallProto,
  type FirewallRule,
  type PortSpec,
} from '../../shared-protocol/ops/firewall.ts';

export interface Cidr {
  readonly addr: string;
  readonly len: number;
}

const OCTET_RE = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parse a canonical IPv4 CIDR; throws E_INVALID_CIDR on any defect (bad octet, prefix, host bits). */
export function parseCidr(text: string): Cidr {
  const bad = (why: string): Hop3Error =>
    new Hop3Error('E_INVALID_CIDR', `source ${JSON.stringify(text)}: ${why}`, {
      hint: 'Write the network address with its prefix, e.g. 10.0.0.0/8, or use "any".',
    });
  const slash = text.split('/');
  if (slash.length !== 2) throw bad('expected <a.b.c.d>/<prefix>');
  const [addr = '', lenText = ''] = slash;
  if (!/^(?:0|[1-9][0-9]?)$/.test(lenText)) throw bad('the prefix must be a decimal 0-32');
  const len = Number(lenText);
  if (len > 32) throw bad('the prefix must be 0-32');
  const parts = addr.split('.');
  if (parts.length !== 4) throw bad('an IPv4 address has four octets');
  let value = 0;
  for (const p of parts) {
    if (!OCTET_RE.test(p)) throw bad(`octet ${JSON.stringify(p)} is not a decimal 0-255 without leading zeros`);
    const n = Number(p);
    if (n > 255) throw bad(`octet ${n} is above 255`);
    value = value * 256 + n;
  }
  const hostBits = len === 32 ? 0 : value % 2 ** (32 - len);
  if (hostBits !== 0) {
    const net = value - hostBits;
    const netText = [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.');
    throw bad(`host bits are set (the network is ${netText}/${len})`);
  }
  return { addr, len };
}

/** Inclusive bounds of a port spec, with order/span/reserved checks. */
export function portBounds(spec: PortSpec): { from: number; to: number } {
  const { from, to } = typeof spec === 'number' ? { from: spec, to: spec } : spec;
  if (typeof spec !== 'number') {
    if (!(from < to)) {
      throw new Hop3Error('E_INVALID_PORT_RANGE', `port range ${from}-${to}: from must be lower than to`, {
        hint: 'Use a plain port number for a single port.',
      });
    }
    if (to - from + 1 > MAX_RANGE_SPAN) {
      throw new Hop3Error('E_INVALID_PORT_RANGE', `port range ${from}-${to} covers ${to - from + 1} ports (at most ${MAX_RANGE_SPAN})`, {
        hint: 'Split the range, or expose fewer ports.',
      });
    }
  }
  const reserved = RESERVED_PORTS.find((p) => p >= from && p <= to);
  if (reserved !== undefined) {
    const what = from === to ? `port ${from}` : `port range ${from}-${to} contains ${reserved}, which`;
    throw new Hop3Error('E_PORT_RESERVED', `${what} is reserved by the platform (22 SSH, 80/443 reverse proxy)`, {
      hint: 'HTTP apps use their dynamic $PORT behind the proxy; choose a port outside 22, 80 and 443.',
    });
  }
  return { from, to };
}

/** The stable id of a rule: the same (app, proto, ports, source) always yields the same id. */
export function ruleId(app: string, proto: FirewallProto, spec: PortSpec, source: string): string {
  const { from, to } = typeof spec === 'number' ? { from: spec, to: spec } : spec;
  const shape = typeof spec === 'number' ? 'p' : 'r';
  const digest = createHash('sha256').update(`${app}\0${proto}\0${shape}\0${from}\0${to}\0${source}`).digest('hex');
  return `fw-${digest.slice(0, 16)}`;
}

export interface NewRule {
  readonly app: string;
  readonly proto: FirewallProto;
  readonly port: PortSpec;
  readonly source: string;
  readonly description?: string | undefined;
}

/** Full semantic validation of a new rule; returns the rule as it will be stored. */
export function validateRule(input: NewRule): FirewallRule {
  portBounds(input.port);
  if (input.source !== 'any') parseCidr(input.source);
  const rule: FirewallRule = {
    id: ruleId(input.app, input.proto, input.port, input.source),
    app: input.app,
    proto: input.proto,
    port: typeof input.port === 'number' ? input.port : { from: input.port.from, to: input.port.to },
    source: input.source,
  };
  if (input.description !== undefined) rule.description = input.description;
  return rule;
}

function overlaps(a: PortSpec, b: PortSpec): boolean {
  const x = typeof a === 'number' ? { from: a, to: a } : a;
  const y = typeof b === 'number' ? { from: b, to: b } : b;
  return x.from <= y.to && y.from <= x.to;
}

export type ClaimDecision = { readonly kind: 'existing'; readonly rule: FirewallRule } | { readonly kind: 'new' };

/**
 * Decide what adding `rule` to `rules` means: the identical rule already held
 * by the same app (idempotent), a new rule, or a refusal (port/proto held by
 * another app, or too many rules).
 */
export function decideClaim(rules: readonly FirewallRule[], rule: FirewallRule): ClaimDecision {
  const same = rules.find((r) => r.id === rule.id);
  if (same) {
    if (same.app !== rule.app || same.proto !== rule.proto || same.source !== rule.source || !samePort(same.port, rule.port)) {
      throw new Hop3Error('E_INTERNAL', `rule id ${rule.id} collides with a different rule`);
    }
    return { kind: 'existing', rule: same };
  }
  const other = rules.find((r) => r.app !== rule.app && r.proto === rule.proto && overlaps(r.port, rule.port));
  if (other) {
    throw new Hop3Error('E_PORT_CLAIMED', `${rule.proto} ${portText(rule.port)} overlaps ${portText(other.port)}, held by app ${other.app}`, {
      hint: `Only one app may own a host port per protocol; remove ${other.app}'s rule ${other.id} first or choose another port.`,
      details: { holder: other.app, rule_id: other.id },
    });
  }
  if (rules.filter((r) => r.app === rule.app).length >= MAX_RULES_PER_APP) {
    throw new Hop3Error('E_TOO_MANY_RULES', `app ${rule.app} already holds ${MAX_RULES_PER_APP} firewall rules`);
  }
  if (rules.length >= MAX_RULES_TOTAL) {
    throw new Hop3Error('E_TOO_MANY_RULES', `rootd already holds ${MAX_RULES_TOTAL} firewall rules`);
  }
  return { kind: 'new' };
}

export function samePort(a: PortSpec, b: PortSpec): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.from === b.from && a.to === b.to;
}

export function portText(p: PortSpec): string {
  return typeof p === 'number' ? String(p) : `${p.from}-${p.to}`;
}
