/** firewall.* ops — schemas, results, error codes and the state slice rootd keeps. (Being written.) */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';

export const FIREWALL_ERRORS = defineErrors({});

export const FIREWALL_OPS = [] as const;

/** The part of rootd's state file that this family owns. */
export const FirewallState = Type.Object({}, { additionalProperties: false });
export type FirewallState = Static<typeof FirewallState>;
export const emptyFirewallState = (): FirewallState => ({});
