/**
 * firewall.* ops — schemas, results, error codes and the state slice rootd keeps.
 *
 * A rule exposes one port (or a bounded range) of one app, for one protocol,
 * to `any` source or to one IPv4 CIDR. The schema carries every structural
 * bound (port 1-65535, CIDR octets 0-255 without leading zeros, prefix 0-32,
 * closed field sets); rootd then checks what a pattern cannot express (host
 * bits, range order and span, reserved ports, claims by other apps) and
 * answers with the specific codes below.
 */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';
import { defineOp } from './define.ts';
import { AppName, Description, Port, Removed } from './fields.ts';

/** Ports the platform keeps for itself: SSH and the reverse proxy. */
export const RESERVED_PORTS: readonly number[] = [22, 80, 443];
/** A range may cover at most this many ports (to - from + 1). */
export const MAX_RANGE_SPAN = 1000;
/** Bound on the rules one app may hold (keeps the state file and the ruleset small). */
export const MAX_RULES_PER_APP = 64;
/** Bound on the rules rootd holds in total. */
export const MAX_RULES_TOTAL = 4096;

export const FIREWALL_ERRORS = defineErrors({
  E_PORT_RESERVED: {
    meaning: 'The port (or a port inside the range) is reserved by the platform: 22 (SSH), 80 and 443 (reverse proxy).',
    hint: 'HTTP apps use their dynamic $PORT behind the proxy; pick another port or a range that avoids 22, 80 and 443.',
  },
  E_PORT_CLAIMED: {
    meaning: 'Another app already holds a rule for this port (or an overlapping range) and protocol.',
    hint: 'Only one app may own a host port per protocol; remove the other app\'s rule first or choose another port.',
  },
  E_INVALID_PORT_RANGE: {
    meaning: `A port range is not ordered (from must be < to) or covers more than ${MAX_RANGE_SPAN} ports.`,
    hint: `Give {from, to} with from < to and to - from + 1 <= ${MAX_RANGE_SPAN}; use a plain port for a single port.`,
  },
  E_INVALID_CIDR: {
    meaning: 'The source is not a canonical IPv4 CIDR (octets 0-255, prefix 0-32, host bits zero).',
    hint: 'Write the network address, e.g. 10.0.0.0/8 rather than 10.0.0.1/8, or use "any".',
  },
  E_TOO_MANY_RULES: {
    meaning: `The app already holds ${MAX_RULES_PER_APP} rules, or rootd holds ${MAX_RULES_TOTAL}.`,
    hint: 'Remove rules the app no longer needs, or merge adjacent ports into a range.',
  },
  E_NFT_FAILED: {
    meaning: 'nft refused or failed to apply a change to table inet hop3; the state was left as before the op.',
    hint: 'The message carries nft\'s first error line; check that nftables is installed and the kernel has nf_tables.',
  },
});

export const FirewallProto = Type.Union([Type.Literal('tcp'), Type.Literal('udp')]);
export type FirewallProto = Static<typeof FirewallProto>;

export const PortRange = Type.Object({ from: Port, to: Port }, { additionalProperties: false });
export type PortRange = Static<typeof PortRange>;

/** A single port, or a bounded range {from, to} (order, span and reserved ports are checked by rootd). */
export const PortSpec = Type.Union([Port, PortRange]);
export type PortSpec = Static<typeof PortSpec>;

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** IPv4 CIDR: four decimal octets 0-255 without leading zeros, prefix 0-32. Host bits are checked by rootd. */
export const IPV4_CIDR_PATTERN = `^${OCTET}(?:\\.${OCTET}){3}/(?:3[0-2]|[12]?[0-9])$`;
export const Source = Type.Union([
  Type.Literal('any'),
  Type.String({ minLength: 9, maxLength: 18, pattern: IPV4_CIDR_PATTERN, description: 'IPv4 CIDR, network address' }),
]);

/** Rule ids are derived from (app, proto, ports, source): the same rule always has the same id. */
export const RULE_ID_PATTERN = '^fw-[0-9a-f]{16}$';
export const RuleId = Type.String({ minLength: 19, maxLength: 19, pattern: RULE_ID_PATTERN });

export const FirewallRule = Type.Object(
  {
    id: RuleId,
    app: AppName,
    proto: FirewallProto,
    port: PortSpec,
    source: Source,
    description: Type.Optional(Description),
  },
  { additionalProperties: false },
);
export type FirewallRule = Static<typeof FirewallRule>;

export const FIREWALL_OPS = [
  defineOp({
    name: 'firewall.add_rule',
    summary:
      'Accept inbound traffic to an app\'s port or port range (tcp/udp) from any source or one IPv4 CIDR. ' +
      'Idempotent: the same rule for the same app returns the existing rule and id.',
    params: Type.Object(
      { app: AppName, port: PortSpec, proto: FirewallProto, source: Source, description: Type.Optional(Description) },
      { additionalProperties: false },
    ),
    result: Type.Object({ rule: FirewallRule, created: Type.Boolean() }, { additionalProperties: false }),
    errors: [
      'E_INVALID_APP_NAME',
      'E_PORT_RESERVED',
      'E_PORT_CLAIMED',
      'E_INVALID_PORT_RANGE',
      'E_INVALID_CIDR',
      'E_TOO_MANY_RULES',
      'E_NFT_FAILED',
      'E_EXEC_FAILED',
      'E_EXEC_TIMEOUT',
      'E_STATE',
    ],
    mutates: true,
  }),
  defineOp({
    name: 'firewall.remove_rule',
    summary: 'Remove one of an app\'s rules by id (from the state and from table inet hop3).',
    params: Type.Object({ app: AppName, rule_id: RuleId }, { additionalProperties: false }),
    result: Removed,
    errors: ['E_NOT_FOUND', 'E_NFT_FAILED', 'E_EXEC_FAILED', 'E_EXEC_TIMEOUT', 'E_STATE'],
    mutates: true,
  }),
  defineOp({
    name: 'firewall.list_rules',
    summary: 'The rules rootd holds (all, or one app\'s), each with whether it is present in the kernel right now.',
    params: Type.Object({ app: Type.Optional(AppName) }, { additionalProperties: false }),
    result: Type.Object(
      {
        rules: Type.Array(Type.Composite([FirewallRule, Type.Object({ live: Type.Boolean() })], { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    errors: ['E_NFT_FAILED', 'E_EXEC_FAILED', 'E_EXEC_TIMEOUT'],
    mutates: false,
  }),
] as const;

/** The part of rootd's state file that this family owns. */
export const FirewallState = Type.Object(
  { rules: Type.Array(FirewallRule, { maxItems: MAX_RULES_TOTAL }) },
  { additionalProperties: false },
);
export type FirewallState = Static<typeof FirewallState>;
export const emptyFirewallState = (): FirewallState => ({ rules: [] });
