/**
 * App environment variable names and which ones are secret by default.
 *
 * Every value is encrypted at rest. "Secret" only decides display: the API
 * returns a secret's value as null unless the caller asks for
 * ?show_secrets=true. A var is secret when the client says so, or (when the
 * client does not say) when its name looks like a credential, or its value is
 * a URL with a password in it.
 */
import { Type } from '@sinclair/typebox';

/** Same rule as the [env] keys of hop3.toml. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const ENV_NAME_MAX = 255;
export const ENV_VALUE_MAX = 65_536;
export const EnvName = Type.String({ minLength: 1, maxLength: ENV_NAME_MAX, pattern: ENV_NAME_PATTERN });

const ENV_NAME_RE = new RegExp(ENV_NAME_PATTERN);
export function isEnvName(name: string): boolean {
  return name.length <= ENV_NAME_MAX && ENV_NAME_RE.test(name);
}

const SECRET_NAME_RE = /(SECRET|PASSWORD|PASSWD|PASSPHRASE|TOKEN|PRIVATE|CREDENTIAL|(^|_)(API_?)?KEY($|_)|(^|_)DSN$|(^|_)SALT$|(^|_)AUTH($|_))/i;
const URL_WITH_PASSWORD_RE = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:[^/@\s]+@/i;

/** The default for `secret` when a client sets a var without saying. */
export function looksSecret(name: string, value: string): boolean {
  return SECRET_NAME_RE.test(name) || URL_WITH_PASSWORD_RE.test(value);
}
