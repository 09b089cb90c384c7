/** Path-parameter and field schemas shared by the API nouns. */
import { Type } from '@sinclair/typebox';
import { APP_NAME_PATTERN } from '../ops/fields.ts';

/**
 * `x-error-code` names the error code a validation failure of this schema
 * reports (instead of the generic E_INVALID_BODY / E_INVALID_QUERY).
 */
export const ERROR_CODE_KEY = 'x-error-code';

export const AppName = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: APP_NAME_PATTERN,
  description: 'App name: 1-63 chars, lowercase letters, digits and dashes',
  [ERROR_CODE_KEY]: 'E_INVALID_APP_NAME',
});

/** Loose on purpose: the server's hostname check gives the precise reason (shared-protocol/api/hostname.ts). */
export const HostnameField = Type.String({
  minLength: 1,
  maxLength: 300,
  description: 'RFC 1123 host name, lowercase, no wildcard, no trailing dot',
  [ERROR_CODE_KEY]: 'E_INVALID_HOSTNAME',
});

export const AppParams = Type.Object({ app: AppName }, { additionalProperties: false });
