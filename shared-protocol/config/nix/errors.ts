/** Error codes of the hop3.nix generator. */
import { defineErrors } from '../../errors.ts';

export const NIX_ERRORS = defineErrors({
  E_NIX_UNKNOWN_TEMPLATE: {
    meaning: '[nix].template is not one of the eight templates.',
    hint: 'Use nixpkgs-wrapper, python-venv, php-app, java-war, ruby-bundler, prebuilt-binary, prebuilt-archive or node-prebuilt.',
  },
  E_NIX_NOT_CONFIGURED: {
    meaning: 'The app config has no [nix] section, so there is no hop3.nix to generate.',
    hint: 'Add [build] builder = "nix" and a [nix] section with a template; an app with builder = "nix" and no [nix] uses its own hop3.nix.',
  },
  E_NIX_MISSING_FIELD: {
    meaning: 'A field the chosen [nix] template requires is absent.',
    hint: 'Add the field named in the message to [nix]; see the template table in docs/hop3-toml.md.',
  },
  E_NIX_FIELD_UNUSED: {
    meaning: 'A [nix] field is set that the chosen template does not use (it would be silently ignored).',
    hint: 'Remove the field, or pick the template that uses it.',
  },
  E_NIX_BAD_FIELD: {
    meaning: 'A [nix] field has the wrong type or an invalid value.',
    hint: 'Fix the field named in the message; the message says what is expected.',
  },
  E_NIX_BAD_HASH: {
    meaning: '[nix].sha256 is not a SHA-256 hash (64 hex, 52 Nix base32, or SRI "sha256-...").',
    hint: 'Compute it with `nix-prefetch-url <url>` or `sha256sum`, and paste it as is.',
  },
  E_NIX_BAD_URL: {
    meaning: '[nix].url is not an http(s) URL, or interpolates something other than ${version}.',
    hint: 'Use an https:// URL; ${version} (from [metadata].version) is the only interpolation allowed.',
  },
  E_NIX_VERSION_REQUIRED: {
    meaning: '[nix].url uses ${version} but the app has no [metadata].version.',
    hint: 'Set [metadata].version, or write the version into the URL.',
  },
  E_NIX_BAD_PATH: {
    meaning: 'A path in [nix] is absolute, contains "..", or has characters outside the allowed set.',
    hint: 'Use a relative path inside the app directory, made of letters, digits, "/", ".", "_" and "-".',
  },
  E_NIX_BAD_VAR_NAME: {
    meaning: 'An environment variable name in [nix] is not a valid shell variable name.',
    hint: 'Use letters, digits and "_", not starting with a digit.',
  },
  E_NIX_UNKNOWN_REF: {
    meaning: 'A [nix].extra-paths entry interpolates ${name} where name is not a package of this template.',
    hint: 'Use one of the names listed in the message (e.g. "${gitea}/bin"), or a literal path.',
  },
  E_NIX_FIELD_CONFLICT: {
    meaning: 'Two [nix] fields contradict each other.',
    hint: 'Follow the message: e.g. an "ini" config file needs sections, a "raw" one needs raw-content.',
  },
});

export type NixErrorCode = keyof typeof NIX_ERRORS;
