/**
 * Error codes of the env resolver (ADR 046 §1c). Every failure of
 * `resolveEnv` is one of these; messages name keys, never secret values.
 */
import { defineErrors } from '../errors.ts';

export const ENV_ERRORS = defineErrors({
  E_ENV_REF_UNKNOWN_ADDON: {
    meaning: 'An [env] reference names an addon (`from`) that is not attached to this app.',
    hint: 'Use the name of one of the addons attached to this app (listed in the message), or attach it first.',
  },
  E_ENV_REF_UNKNOWN_KEY: {
    meaning: 'An [env] reference asks an attached addon for a variable it does not inject.',
    hint: 'Use one of the variable names the addon injects (listed in the message); run `hop3 config show` to see them.',
  },
  E_ENV_REF_UNKNOWN_FACT: {
    meaning: 'An [env] reference without `from` asks for an app fact that does not exist.',
    hint: 'App facts are "domain", "hostname" (the first hostname) and "name"; add `from` to read an addon variable.',
  },
  E_ENV_REF_NO_HOSTNAME: {
    meaning: 'A { key = "domain" | "hostname" } reference was declared but the app has no hostname.',
    hint: 'Declare [domains].list (or HOST_NAME) so the app has a hostname, or remove the reference.',
  },
  E_ENV_EXTERNAL_IP_UNKNOWN: {
    meaning: 'An external_ip reference was declared but no external address of that family is known.',
    hint: 'Set HOP3_EXTERNAL_IP (HOP3_EXTERNAL_IP6 for v6) on the server to the host public address.',
  },
  E_ENV_EXTERNAL_IP_INVALID: {
    meaning: 'The external address given for an external_ip reference is not an address of the requested family.',
    hint: 'Set HOP3_EXTERNAL_IP to an IPv4 address and HOP3_EXTERNAL_IP6 to an IPv6 address.',
  },
  E_ENV_EXTERNAL_IP_PRIVATE: {
    meaning: 'The external address is private, loopback, link-local, unspecified or otherwise not public; it is never returned as a public IP.',
    hint: 'On a NAT or cloud host, set HOP3_EXTERNAL_IP (or HOP3_EXTERNAL_IP6) on the server to the public address.',
  },
  E_ENV_GENERATE_UNKNOWN: {
    meaning: 'A generated secret names a generator that does not exist.',
    hint: 'Use one of: hex, base64, urlsafe, password, uuid.',
  },
  E_ENV_GENERATE_LENGTH: {
    meaning: 'A generated secret has a length that is not an integer between 1 and 4096.',
    hint: 'Give `length` as a whole number: bytes of entropy for hex/base64/urlsafe, characters for password.',
  },
  E_ENV_COMPUTED_UNKNOWN_VAR: {
    meaning: 'An [env.computed] value interpolates ${VAR} but VAR is defined nowhere in the resolved env.',
    hint: 'Define VAR in [env], attach the addon that injects it, or write $${VAR} for a literal "${VAR}".',
  },
  E_ENV_COMPUTED_CYCLE: {
    meaning: '[env.computed] values reference each other in a cycle.',
    hint: 'Break the cycle shown in the message: one of the values must not depend on the others.',
  },
  E_ENV_COMPUTED_SYNTAX: {
    meaning: 'An [env.computed] value contains a "${" that is not a well-formed ${NAME} reference.',
    hint: 'Write ${NAME} with NAME made of letters, digits and "_", or $$ for a literal "$".',
  },
  E_ENV_ADDON_DUPLICATE: {
    meaning: 'Two attached addons were passed to the resolver under the same name.',
    hint: 'Addon names are unique per server; this is a caller bug, report it.',
  },
});

export type EnvErrorCode = keyof typeof ENV_ERRORS;
