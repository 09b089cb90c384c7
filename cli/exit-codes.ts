/**
 * The CLI's exit codes, and the one place that maps a server error (HTTP
 * status + error code) to one. docs/cli.md's table is generated from EXIT_DOCS.
 */

export const EXIT = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  AUTH: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  DEPLOY_FAILED: 6,
  INVALID_CONFIG: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_DOCS: Readonly<Record<ExitCode, string>> = {
  0: 'success',
  1: 'unexpected failure: server unreachable, server-side error (5xx), a reply this CLI does not understand, a local I/O error',
  2: 'usage error: unknown command or flag, bad argument, a value the server rejected as invalid (400, 413, 415, 422)',
  3: 'authentication: not logged in, token missing, invalid or revoked (401, 403), or rate-limited after failed logins (429)',
  4: 'not found: the app, domain, release or process named does not exist (404)',
  5: 'conflict: the name is taken, a deploy is already running, the state forbids it (409)',
  6: 'deploy failure: the deploy (or rollback) ran and failed; the server’s code, message and hint are printed',
  7: 'invalid app config: hop3.toml/Procfile has errors (config validate, explain, migrate, or a deploy refused before uploading); each error is printed with its code, position and hint',
};

const AUTH_CODES = new Set(['E_AUTH_REQUIRED', 'E_AUTH_INVALID', 'E_RATE_LIMITED', 'E_NOT_LOGGED_IN']);

/**
 * Exit code for an error the server returned. The error code decides when it
 * is one we know the meaning of; otherwise the HTTP status does.
 */
export function exitForApiError(status: number | undefined, code: string): ExitCode {
  if (AUTH_CODES.has(code)) return EXIT.AUTH;
  if (code === 'E_INTERNAL') return EXIT.UNEXPECTED;
  if (code.endsWith('_NOT_FOUND')) return EXIT.NOT_FOUND;
  if (code.endsWith('_EXISTS') || code.endsWith('_TAKEN') || code.endsWith('_IN_PROGRESS') || code.endsWith('_CONFLICT')) return EXIT.CONFLICT;
  switch (status) {
    case 401:
    case 403:
    case 429:
      return EXIT.AUTH;
    case 404:
    case 410:
      return EXIT.NOT_FOUND;
    case 409:
    case 423:
      return EXIT.CONFLICT;
    case 400:
    case 413:
    case 415:
    case 422:
      return EXIT.USAGE;
    default:
      return EXIT.UNEXPECTED;
  }
}

const DEPLOY_CODE_RE = /^E_(UPLOAD|BUNDLE|BUILD|CONFIG|DEPLOY|HEALTH|RELEASE|START|SWITCH|HOOK)_/;

/**
 * Exit code for an error raised while a deploy or rollback runs (bundling,
 * uploading, following): the content was refused or the pipeline failed → 6;
 * auth, not found and conflicts keep their codes; the rest is unexpected.
 */
export function exitForDeployError(code: string, exit: ExitCode): ExitCode {
  if (exit === EXIT.AUTH || exit === EXIT.CONFLICT || exit === EXIT.NOT_FOUND) return exit;
  if (DEPLOY_CODE_RE.test(code) || code === 'E_PAYLOAD_TOO_LARGE' || exit === EXIT.USAGE) return EXIT.DEPLOY_FAILED;
  return exit;
}
