/**
 * Stable error codes and the one error type that domain code throws.
 *
 * Codes are grouped in catalogs (one per area). Each entry documents what the
 * code means and a default hint; docs tables are generated from these catalogs.
 * Only the three edges (HTTP, rootd reply, CLI) translate a Hop3Error.
 */

export interface ErrorInfo {
  /** One sentence: when this code is returned. */
  readonly meaning: string;
  /** Default hint telling the user what to do. */
  readonly hint: string;
}

export type ErrorCatalog = Readonly<Record<`E_${string}`, ErrorInfo>>;

/** Identity helper that keeps literal keys while checking the shape. */
export function defineErrors<const T extends ErrorCatalog>(catalog: T): T {
  return catalog;
}

/** Codes shared by every edge (wire, dispatch, internal). */
export const COMMON_ERRORS = defineErrors({
  E_INTERNAL: {
    meaning: 'An unexpected failure; details are in the daemon log under the request id.',
    hint: 'Report it with the request id; nothing in the request was at fault.',
  },
  E_BAD_JSON: {
    meaning: 'The line received is not valid JSON.',
    hint: 'Send exactly one JSON object per line, UTF-8, terminated by \\n.',
  },
  E_LINE_TOO_LONG: {
    meaning: 'The request line exceeds the 64 KiB limit.',
    hint: 'Split the work into several smaller requests.',
  },
  E_BAD_ENVELOPE: {
    meaning: 'The request is JSON but not a valid envelope {v, id, op, params}.',
    hint: 'Check the envelope schema in docs/rootd-protocol.md.',
  },
  E_BAD_VERSION: {
    meaning: 'The envelope protocol version is not supported.',
    hint: 'Upgrade the client or the daemon so both speak the same protocol version.',
  },
  E_UNKNOWN_OP: {
    meaning: 'The op name is not in the closed op table.',
    hint: 'Call daemon.describe to list the ops this daemon supports.',
  },
  E_INVALID_PARAMS: {
    meaning: 'The params do not match the op schema (no coercion is applied).',
    hint: 'Fix the fields listed in the message; see the op schema from daemon.describe.',
  },
  E_UNAUTHORIZED: {
    meaning: 'The peer is not allowed to call this daemon.',
    hint: 'Only the hop3-server user (and root) may connect to the rootd socket.',
  },
  E_INVALID_APP_NAME: {
    meaning: 'The app name is not a valid app name.',
    hint: 'Use 1-63 chars: lowercase letters, digits and dashes, starting with a letter or digit.',
  },
  E_PATH_OUTSIDE_ROOT: {
    meaning: 'A derived path would leave its allowed root (absolute target, "..", or NUL).',
    hint: 'Give a relative target inside the app tree, without "..".',
  },
  E_PATH_SYMLINK: {
    meaning: 'A component of the resolved path is a symbolic link.',
    hint: 'Replace the symlink by a real directory; rootd never follows links in app trees.',
  },
  E_BIND_NOT_ALLOWED: {
    meaning: 'A bind-mount source is not under the operator allow-list (checked after realpath).',
    hint: 'Ask the operator to add the directory to bind_allowlist in the rootd config.',
  },
  E_NOT_FOUND: {
    meaning: 'The object named by the request does not exist.',
    hint: 'List the existing objects with the matching list op.',
  },
  E_EXEC_FAILED: {
    meaning: 'A system command run by the daemon failed.',
    hint: 'See the message for the command stderr; check the daemon op log.',
  },
  E_EXEC_TIMEOUT: {
    meaning: 'A system command run by the daemon did not finish in time.',
    hint: 'Check the host for a hung mount, nginx or nft process.',
  },
  E_OPLOG_FAILED: {
    meaning: 'The op log could not be written or synced; rootd refuses changes it cannot audit.',
    hint: 'Check the disk holding the op log (space, I/O errors), then restart hop3-rootd.',
  },
  E_STATE: {
    meaning: 'The state file could not be read or written.',
    hint: 'Check disk space and permissions of the rootd state directory.',
  },
});

export type CommonErrorCode = keyof typeof COMMON_ERRORS;

export interface Hop3ErrorOptions {
  hint?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class Hop3Error extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: `E_${string}`, message: string, options: Hop3ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Hop3Error';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export function isHop3Error(e: unknown): e is Hop3Error {
  return e instanceof Hop3Error;
}
