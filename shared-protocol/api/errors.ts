/**
 * Error codes of the HTTP API (CLI ↔ server). The HTTP status of each code is
 * chosen in one place, server/errors.ts; the CLI maps codes to exit codes.
 * Codes that come back from rootd keep their own code (see ROOTD_ERRORS).
 */
import { defineErrors } from '../errors.ts';
import { UPLOAD_ERRORS } from '../upload/errors.ts';
import { ADDON_ERRORS } from './addons.ts';

/** The upload refusals a deploy request can answer (the E_BUNDLE_* codes stay on the CLI side). */
export type UploadApiCode = Extract<keyof typeof UPLOAD_ERRORS, `E_UPLOAD_${string}`>;
export const UPLOAD_API_ERRORS = Object.fromEntries(Object.entries(UPLOAD_ERRORS).filter(([k]) => k.startsWith('E_UPLOAD_'))) as Pick<
  typeof UPLOAD_ERRORS,
  UploadApiCode
>;

export const API_ERRORS = defineErrors({
  /** The deploy upload's refusals (E_UPLOAD_*), answered by POST /v1/apps/:app/deploys. */
  ...UPLOAD_API_ERRORS,
  /** The addon lifecycle's codes (shared-protocol/api/addons.ts). */
  ...ADDON_ERRORS,
  E_AUTH_REQUIRED: {
    meaning: 'The request has no bearer token (every route but GET /v1/health needs one).',
    hint: 'Log in with `hop3 login --server URL --token hop3_...`, or set HOP3_API_TOKEN.',
  },
  E_AUTH_INVALID: {
    meaning: 'The bearer token is malformed, unknown or revoked.',
    hint: 'Ask the operator for a new token (`hop3-server admin create-token <name>`).',
  },
  E_RATE_LIMITED: {
    meaning: 'Too many failed authentications from this client address.',
    hint: 'Wait for the number of seconds in the Retry-After header, then retry with a valid token.',
  },
  E_ROUTE_NOT_FOUND: {
    meaning: 'No route matches this method and path.',
    hint: 'See GET /v1/openapi.json for the routes this server has.',
  },
  E_BAD_JSON: {
    meaning: 'The request body is not valid JSON.',
    hint: 'Send one JSON document with Content-Type: application/json.',
  },
  E_UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'The request body is not declared as application/json.',
    hint: 'Send the header Content-Type: application/json.',
  },
  E_PAYLOAD_TOO_LARGE: {
    meaning: 'The request body is larger than the server accepts for this route.',
    hint: 'Send less data per request (the limit is in the message).',
  },
  E_INVALID_BODY: {
    meaning: 'The request body does not match the route schema.',
    hint: 'Fix the fields named in the message; schemas are in GET /v1/openapi.json.',
  },
  E_INVALID_QUERY: {
    meaning: 'A query parameter is unknown or has a bad value.',
    hint: 'Fix the parameter named in the message; see GET /v1/openapi.json.',
  },
  E_INVALID_APP_NAME: {
    meaning: 'The app name is not a valid app name.',
    hint: 'Use 1-63 chars: lowercase letters, digits and dashes, starting and ending with a letter or digit.',
  },
  E_APP_NOT_FOUND: {
    meaning: 'No app has this name.',
    hint: 'List apps with `hop3 apps`.',
  },
  E_APP_EXISTS: {
    meaning: 'An app with this name already exists.',
    hint: 'Pick another name, or deploy to the existing app.',
  },
  E_CONFIRM_REQUIRED: {
    meaning: 'A destructive request was not confirmed with the exact app name.',
    hint: 'Repeat the request with confirm set to the app name (`--confirm=<app>`).',
  },
  E_INVALID_ENV_NAME: {
    meaning: 'An environment variable name is not a valid name.',
    hint: 'Use letters, digits and underscores, not starting with a digit (e.g. DATABASE_URL).',
  },
  E_INVALID_HOSTNAME: {
    meaning: 'A hostname is not a valid RFC 1123 host name.',
    hint: 'Use lowercase labels of letters, digits and dashes separated by dots (IDNs in punycode, no wildcards).',
  },
  E_DOMAIN_TAKEN: {
    meaning: 'The hostname already belongs to another app (explicitly, or as its default <app>.<server domain>).',
    hint: 'Remove it from the other app first, or pick another hostname.',
  },
  E_DOMAIN_NOT_FOUND: {
    meaning: 'The app has no such hostname.',
    hint: 'List the app hostnames with `hop3 domains list`.',
  },
  E_SECRET_UNREADABLE: {
    meaning: 'A stored secret failed authenticated decryption (tampered, moved, or the server key changed).',
    hint: 'Restore the server key file from backup, or set the value again with `hop3 config set`.',
  },
  E_DEPLOY_IN_PROGRESS: {
    meaning: 'A deploy or rollback of this app is running; one at a time per app.',
    hint: 'Wait for it to end (`hop3 app status` shows it), then retry.',
  },
  E_DEPLOY_NOT_FOUND: {
    meaning: 'The app has no deploy with this id (ids are kept while the server runs; finished deploys are in `hop3 releases`).',
    hint: 'Use the id returned by the deploy or rollback request, or see `hop3 releases`.',
  },
  E_RELEASE_NOT_FOUND: {
    meaning: 'The app has no release with this number.',
    hint: 'List releases with `hop3 releases`.',
  },
  E_RELEASE_UNAVAILABLE: {
    meaning: 'The release cannot be brought back: it never went live, is the current one, or its tree was pruned.',
    hint: 'Pick a release marked as rollback-able in `hop3 releases`, or deploy again.',
  },
  E_NO_LIVE_RELEASE: {
    meaning: 'The app has no current release (never deployed successfully).',
    hint: 'Deploy it first with `hop3 deploy`.',
  },
  E_PROCESS_TYPE_NOT_FOUND: {
    meaning: 'The current release has no process of this type.',
    hint: 'See the process types with `hop3 ps` (they come from the Procfile or [run]/[run.workers]).',
  },
  E_INVALID_SCALE: {
    meaning: 'A process count is not an integer from 0 to 32, or no process type was given.',
    hint: 'Send counts like {"web": 2, "worker": 1}; web copies are at most 32.',
  },
  E_ROOTD_UNAVAILABLE: {
    meaning: 'hop3-server could not reach hop3-rootd, or lost the connection during a request.',
    hint: 'Check that hop3-rootd is running and that the server user may open its socket.',
  },
  E_ROOTD_TIMEOUT: {
    meaning: 'hop3-rootd did not answer in time.',
    hint: 'Check hop3-rootd health (`hop3-rootd log show`); the op may or may not have been applied.',
  },
  E_ROOTD_PROTOCOL: {
    meaning: 'hop3-rootd answered something the server does not understand (version or schema mismatch).',
    hint: 'Install the same Hop3 version for hop3-server and hop3-rootd.',
  },
  E_INTERNAL: {
    meaning: 'An unexpected failure; details are in the server log under the request id.',
    hint: 'Report it with the request id; nothing in the request was at fault.',
  },
});

export type ApiErrorCode = keyof typeof API_ERRORS;
