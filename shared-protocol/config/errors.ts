/**
 * Stable codes for hop3.toml / hop3.yaml / hop3.json / Procfile diagnostics.
 *
 * Errors (E_) stop a deploy; warnings (W_) are reported and never block.
 * docs/hop3-toml.md's code table is generated from these two catalogs
 * (npm run docs:config), never written by hand.
 */
import { defineErrors, type ErrorInfo } from '../errors.ts';

export const CONFIG_ERRORS = defineErrors({
  E_CONFIG_PARSE: {
    meaning: 'The file is not valid TOML, YAML or JSON (syntax error or a key defined twice).',
    hint: 'Fix the syntax at the line and column given; the message quotes the parser.',
  },
  E_CONFIG_MULTIPLE_FILES: {
    meaning: 'More than one app config file was found (e.g. hop3.toml and hop3.yaml, or src/hop3.toml and hop3.toml).',
    hint: 'Keep exactly one of src/hop3/hop3.*, src/hop3.*, hop3.* (toml, yaml, yml or json) and delete the others.',
  },
  E_CONFIG_UNKNOWN_KEY: {
    meaning: 'A section or key is not part of the hop3.toml format (it would otherwise be silently ignored).',
    hint: 'Check the spelling against docs/hop3-toml.md; the message suggests the closest known key.',
  },
  E_CONFIG_DUPLICATE_KEY: {
    meaning: 'The same key is given twice, e.g. once with "-" and once with its "_" spelling.',
    hint: 'Keep one spelling: keys use dashes (before-build); the underscore form is an alias.',
  },
  E_CONFIG_TYPE: {
    meaning: 'A value has the wrong type (e.g. a number where a string is expected).',
    hint: 'Use the type the message names; see the field table in docs/hop3-toml.md.',
  },
  E_CONFIG_ENUM: {
    meaning: 'A value is not one of the allowed choices.',
    hint: 'Use one of the values listed in the message.',
  },
  E_CONFIG_RANGE: {
    meaning: 'A number is outside its allowed range.',
    hint: 'Use a value inside the range given in the message.',
  },
  E_CONFIG_FORMAT: {
    meaning: 'A string does not have the required format (name charset, octal mode, path, ...).',
    hint: 'Follow the format given in the message.',
  },
  E_CONFIG_REQUIRED: {
    meaning: 'A required field is missing.',
    hint: 'Add the field named in the message.',
  },
  E_CONFIG_EMPTY_COMMAND: {
    meaning: 'A command is empty (an empty string, an empty array, or an empty array entry).',
    hint: 'Give a non-empty shell command, or remove the key.',
  },
  E_CONFIG_IGNORE_FILE: {
    meaning: '[build].ignore-file was removed: the sidecar pointer is no longer supported (ADR 046 §5).',
    hint: 'Move the patterns of that file into [build].ignore = ["..."] and remove ignore-file.',
  },
  E_CONFIG_ENV_NAME: {
    meaning: 'An [env] key is not a valid environment variable name.',
    hint: 'Use letters, digits and underscores, not starting with a digit (e.g. DATABASE_URL).',
  },
  E_CONFIG_ENV_SHAPE: {
    meaning: 'An [env] table value is neither a generated secret ({generate}), a reference ({from, key} / {key}) nor {external_ip}.',
    hint: 'Use a string, { generate = "hex" }, { from = "<addon>", key = "<VAR>" }, { key = "domain" } or { external_ip = true }.',
  },
  E_CONFIG_ENV_GENERATE: {
    meaning: 'A generated secret spec is malformed (unknown generator, length < 1, unknown field).',
    hint: 'generate is one of hex, base64, urlsafe, password, uuid; length is an integer >= 1.',
  },
  E_CONFIG_ENV_REF: {
    meaning: 'A dynamic reference is malformed or names an unknown app fact or addon.',
    hint: 'Without from, key is one of domain, hostname, name; with from, name an addon declared in [[addons]].',
  },
  E_CONFIG_ENV_DUPLICATE: {
    meaning: 'A variable is defined both in [env] and in [env.computed].',
    hint: 'Define each variable once.',
  },
  E_CONFIG_COMPUTED_REF: {
    meaning: 'An [env.computed] template is malformed (unclosed ${ or an invalid variable name).',
    hint: 'Write ${NAME} with NAME a valid variable name; use $$ for a literal $.',
  },
  E_CONFIG_DOMAIN_INVALID: {
    meaning: 'A [domains] entry is not a valid RFC-1123 hostname.',
    hint: 'Use labels of 1-63 letters, digits and dashes (not at either end), at most 253 characters in all.',
  },
  E_CONFIG_DOMAIN_CATCHALL: {
    meaning: 'The catch-all "_" is listed together with other hostnames.',
    hint: '"_" may only appear alone: list = ["_"].',
  },
  E_CONFIG_DOMAIN_DUPLICATE: {
    meaning: 'A hostname is listed twice in [domains].list.',
    hint: 'List each hostname once.',
  },
  E_CONFIG_DOMAINS_HOST_NAME: {
    meaning: '[domains].list and HOST_NAME under [env] are both set; they are mutually exclusive.',
    hint: 'Keep [domains].list and remove HOST_NAME from [env] (or the reverse).',
  },
  E_CONFIG_ENDPOINT_ROUTE: {
    meaning: 'A proxied [port.<name>] endpoint does not have exactly one of subdomain or path, or sets them without proxy = true.',
    hint: 'With proxy = true set exactly one of subdomain = "admin" or path = "/admin"; without proxy, set neither.',
  },
  E_CONFIG_ENDPOINT_DUPLICATE: {
    meaning: 'Two proxied endpoints claim the same subdomain or path.',
    hint: 'Give each proxied endpoint its own subdomain or path.',
  },
  E_CONFIG_PORT_RESERVED: {
    meaning: 'A [[ports]] entry declares 22, 80 or 443, which Hop3 reserves for SSH and the reverse proxy.',
    hint: 'HTTP apps use the dynamic $PORT and are proxied; declare only non-HTTP ports in [[ports]].',
  },
  E_CONFIG_PORT_DUPLICATE: {
    meaning: 'The same (number, protocol) is declared twice in [[ports]].',
    hint: 'Declare each port once.',
  },
  E_CONFIG_VOLUME_TARGET: {
    meaning: 'A volume target is absolute, contains "..", or is empty.',
    hint: 'Use a directory path relative to the app source tree, e.g. "data/uploads".',
  },
  E_CONFIG_VOLUME_DUPLICATE: {
    meaning: 'Two volumes share a name or a target.',
    hint: 'Give each volume a distinct name and target.',
  },
  E_CONFIG_VOLUME_FIELD: {
    meaning: 'A volume field does not apply to its type (size without tmpfs, source without bind).',
    hint: 'size is only for type = "tmpfs", source only for type = "bind"; remove the field or change the type.',
  },
  E_CONFIG_TMPFS_SIZE_REQUIRED: {
    meaning: 'A tmpfs volume has no size (an uncapped tmpfs may take half of the RAM).',
    hint: 'Add size = "256M" (K/M/G suffix).',
  },
  E_CONFIG_TMPFS_OVER_MEMORY: {
    meaning: 'The sum of tmpfs volume sizes is not below [limits].memory.',
    hint: 'Lower the tmpfs sizes or raise [limits].memory; tmpfs pages count against the memory cap.',
  },
  E_CONFIG_BIND_SOURCE: {
    meaning: 'A bind volume has no source, or its source is not an absolute path without "..".',
    hint: 'Set source = "/srv/shared/..." (absolute, on the operator allow-list HOP3_BIND_VOLUME_ALLOWLIST).',
  },
  E_CONFIG_VOLUME_BACKUP_TMPFS: {
    meaning: '[volumes.backup] is set on a tmpfs volume, which is never backed up.',
    hint: 'Remove [volumes.backup] from the tmpfs volume, or make it a persist volume.',
  },
  E_CONFIG_SIZE: {
    meaning: 'A size (memory, tmpfs size) is not a positive number with an optional K/M/G suffix.',
    hint: 'Write e.g. "512M", "1G", "65536K" or plain bytes (integer).',
  },
  E_CONFIG_CRON: {
    meaning: 'A schedule is not a valid 5-field cron expression (minute hour day month weekday, UTC).',
    hint: 'Write e.g. "0 3 * * *" (every day at 03:00 UTC); macros like @daily and seconds fields are not accepted.',
  },
  E_CONFIG_BACKUP_SCHEDULE: {
    meaning: '[backup] or [addons.backup] is enabled without a schedule.',
    hint: 'Add schedule = "0 2 * * *" or set enabled = false.',
  },
  E_CONFIG_ADDON_DUPLICATE: {
    meaning: 'Two addons of the same type resolve to the same instance name.',
    hint: 'Give each addon of the same type a distinct name = "...".',
  },
  E_CONFIG_ADDON_FIELD: {
    meaning: 'A field is given for an addon type that does not accept it (e.g. extensions on redis).',
    hint: 'extensions applies to postgres only.',
  },
  E_CONFIG_PG_EXTENSION_DENIED: {
    meaning: 'A PostgreSQL extension is on the hard-deny set (filesystem, network or code-execution capability).',
    hint: 'This extension can never be enabled, not even with HOP3_EXTRA_PG_EXTENSIONS; remove it.',
  },
  E_CONFIG_PG_EXTENSION_NOT_ALLOWED: {
    meaning: 'A PostgreSQL extension is not on the allow-list of this Hop3 install.',
    hint: 'Use an allowed extension, or ask the operator to add it to HOP3_EXTRA_PG_EXTENSIONS.',
  },
  E_CONFIG_WORKER_NAME: {
    meaning: 'A [run.workers] name is not a valid process type or collides with web or a hook name.',
    hint: 'Use letters, digits, "-" and "_", other than web, prebuild, prerun, release and cron*.',
  },
  E_CONFIG_NIX_TEMPLATE: {
    meaning: '[nix].template is missing or not one of the eight templates.',
    hint: 'Use nixpkgs-wrapper, python-venv, php-app, java-war, ruby-bundler, prebuilt-binary, prebuilt-archive or node-prebuilt.',
  },
  E_CONFIG_NIX_FIELD: {
    meaning: 'A field the chosen [nix] template requires is missing.',
    hint: 'Add the field named in the message (see the template table in docs/hop3-toml.md).',
  },
  E_CONFIG_NIX_BUILDER: {
    meaning: 'A [nix] section is present but [build].builder is not "nix", so it would be ignored.',
    hint: 'Set [build] builder = "nix", or remove the [nix] section.',
  },
  E_CONFIG_NIX_FIELD_UNUSED: {
    meaning: 'A [nix] field is set that the chosen template does not use (it would be silently ignored).',
    hint: 'Remove the field, or pick the template that uses it; the message lists the fields this template reads.',
  },
  E_CONFIG_NIX_VALUE: {
    meaning: 'The hop3.nix generator refuses a [nix] value (hash, URL, path, variable name, package reference, or two conflicting fields); the message names the generator code (E_NIX_*).',
    hint: 'Fix the field named in the message; hop3 config validate runs the same checks as the build, so a valid [nix] always generates.',
  },
  E_CONFIG_PROCFILE_SYNTAX: {
    meaning: 'A Procfile line is not "name: command" with a valid process type name.',
    hint: 'Write one process per line as "web: command"; names use letters, digits, "-" and "_"; comments start with #.',
  },
  E_CONFIG_PROCFILE_DUPLICATE: {
    meaning: 'A process type is defined twice in the Procfile.',
    hint: 'Keep one line per process type.',
  },
  E_CONFIG_PROCFILE_CRON: {
    meaning: 'A cron entry of the Procfile does not start with a valid 5-field schedule.',
    hint: 'Write e.g. "cron-cleanup: */5 * * * * python cleanup.py".',
  },
  E_CONFIG_NO_FILE: {
    meaning: 'The directory has neither a config file (hop3.toml/yaml/yml/json) nor a Procfile.',
    hint: 'Create a hop3.toml (see docs/hop3-toml.md) or a Procfile with a web: line.',
  },
  E_CONFIG_EXISTS: {
    meaning: 'The migration would overwrite an existing config file.',
    hint: 'Remove or rename the existing config file first, or use --dry-run to print the result.',
  },
});

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

/** Warnings: reported, never blocking. Same shape as the error catalog. */
export const CONFIG_WARNINGS = {
  W_CONFIG_RESERVED: {
    meaning: 'A reserved field (ADR 002) is accepted but not acted upon by this version.',
    hint: 'Nothing reads it yet; remove it if you expected an effect.',
  },
  W_CONFIG_PROVIDER_DEPRECATED: {
    meaning: 'The legacy [[provider]] section is accepted as [[addons]] but deprecated.',
    hint: 'Rename [[provider]] to [[addons]].',
  },
  W_CONFIG_HOP3IGNORE_DEPRECATED: {
    meaning: 'A .hop3ignore file was read; it is honoured for one transition release only.',
    hint: 'Move its patterns into [build].ignore in hop3.toml and delete .hop3ignore.',
  },
  W_CONFIG_ENV_RANDOM_DEPRECATED: {
    meaning: 'The legacy { random = true } [env] form is read as { generate = "password" }.',
    hint: 'Write { generate = "password", length = N } instead.',
  },
  W_CONFIG_KEY_ALIAS: {
    meaning: 'A key was written with "_" where the canonical spelling uses "-"; it is accepted as an alias.',
    hint: 'Prefer the dashed spelling named in the message.',
  },
  W_CONFIG_ENV_STATIC_INTERPOLATION: {
    meaning: 'A static [env] value contains ${...}; static values are set literally, never interpolated, so the app would see the text "${NAME}".',
    hint: 'Move the key under [env.computed] to interpolate it (DB_HOST = "${PGHOST}"); there, $${NAME} keeps a literal "${NAME}".',
  },
  W_CONFIG_RETENTION_UNUSED: {
    meaning: 'A backup retention is set but no schedule: retention prunes scheduled backups only, so it does nothing.',
    hint: 'Add schedule = "..." or remove retention.',
  },
} as const satisfies Readonly<Record<`W_${string}`, ErrorInfo>>;

export type ConfigWarningCode = keyof typeof CONFIG_WARNINGS;
export type ConfigCode = ConfigErrorCode | ConfigWarningCode;

export function infoFor(code: ConfigCode): ErrorInfo {
  return code.startsWith('W_')
    ? CONFIG_WARNINGS[code as ConfigWarningCode]
    : CONFIG_ERRORS[code as ConfigErrorCode];
}
