/**
 * The HTTP edge: the one place where a Hop3Error becomes a status and the
 * `{error:{code,message,hint}}` body. Anything that is not a Hop3Error is an
 * unexpected failure: logged with the request id, answered as E_INTERNAL
 * without details.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { API_ERRORS, UPLOAD_API_ERRORS, type ApiErrorCode, type UploadApiCode } from '../shared-protocol/api/errors.ts';
import type { ErrorBody } from '../shared-protocol/api/define.ts';
import { isHop3Error } from '../shared-protocol/errors.ts';
import { ROOTD_ERRORS } from '../shared-protocol/ops/index.ts';
import { uploadHttpStatus } from '../shared-protocol/upload/errors.ts';
import type { AppEnv } from './http/context.ts';
import type { Logger } from './log.ts';

const UPLOAD_STATUS = Object.fromEntries(Object.keys(UPLOAD_API_ERRORS).map((c) => [c, uploadHttpStatus(c as UploadApiCode)])) as Record<UploadApiCode, ContentfulStatusCode>;

export const STATUS_BY_CODE: Readonly<Record<ApiErrorCode, ContentfulStatusCode>> = {
  ...UPLOAD_STATUS,
  E_INVALID_ADDON_NAME: 400,
  E_ADDON_TYPE_UNKNOWN: 400,
  E_ADDON_TYPE_UNAVAILABLE: 409,
  E_ADDON_NOT_FOUND: 404,
  E_ADDON_EXISTS: 409,
  E_ADDON_TYPE_MISMATCH: 409,
  E_ADDON_ATTACHED: 409,
  E_ADDON_NOT_ATTACHED: 409,
  E_ADDON_CONFIRM_REQUIRED: 400,
  E_ADDON_EXTENSION_DENIED: 400,
  E_ADDON_EXTENSIONS_UNSUPPORTED: 400,
  E_ADDON_EXHAUSTED: 409,
  E_ADDON_PROVISION_FAILED: 502,
  E_ADDON_BACKEND_UNREACHABLE: 503,
  E_ADDON_RESOURCE_EXISTS: 409,
  E_ADDON_DEPROVISION_FAILED: 502,
  E_ADDON_BUSY: 409,
  E_AUTH_REQUIRED: 401,
  E_AUTH_INVALID: 401,
  E_RATE_LIMITED: 429,
  E_ROUTE_NOT_FOUND: 404,
  E_BAD_JSON: 400,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_PAYLOAD_TOO_LARGE: 413,
  E_INVALID_BODY: 400,
  E_INVALID_QUERY: 400,
  E_INVALID_APP_NAME: 400,
  E_APP_NOT_FOUND: 404,
  E_APP_EXISTS: 409,
  E_CONFIRM_REQUIRED: 400,
  E_INVALID_ENV_NAME: 400,
  E_INVALID_HOSTNAME: 400,
  E_DOMAIN_TAKEN: 409,
  E_DOMAIN_NOT_FOUND: 404,
  E_SECRET_UNREADABLE: 500,
  E_DEPLOY_IN_PROGRESS: 409,
  E_DEPLOY_NOT_FOUND: 404,
  E_RELEASE_NOT_FOUND: 404,
  E_RELEASE_UNAVAILABLE: 409,
  E_NO_LIVE_RELEASE: 409,
  E_PROCESS_TYPE_NOT_FOUND: 404,
  E_INVALID_SCALE: 400,
  E_ROOTD_UNAVAILABLE: 503,
  E_ROOTD_TIMEOUT: 504,
  E_ROOTD_PROTOCOL: 502,
  E_INTERNAL: 500,
};

/**
 * Codes of the runtime and the deploy pipeline that can reach a synchronous
 * request (start, scale, run...): a failing app is a bad gateway, a missing
 * emperor unavailable. (A deploy reports its failure in its event stream.)
 */
export const PIPELINE_STATUS: Readonly<Record<string, ContentfulStatusCode>> = {
  E_EMPEROR_UNAVAILABLE: 503,
  E_PORT_EXHAUSTED: 503,
  E_HEALTHCHECK_FAILED: 502,
  E_RUNTIME_CRASH_LOOP: 502,
  E_RUNTIME_START_TIMEOUT: 504,
  E_RUNTIME_ALREADY_RUNNING: 409,
  E_RUNTIME_ENV_RESERVED: 409,
  E_RUNTIME_UNREPRESENTABLE: 409,
  E_RUNTIME_STOP_TIMEOUT: 500,
  E_APP_CONFIG_INVALID: 409,
};

/** API codes by the table; pipeline codes by theirs; a code propagated from rootd is a bad gateway; anything else 500. */
export function statusFor(code: string): ContentfulStatusCode {
  if (code in STATUS_BY_CODE) return STATUS_BY_CODE[code as ApiErrorCode];
  const pipeline = PIPELINE_STATUS[code];
  if (pipeline !== undefined) return pipeline;
  if (code in ROOTD_ERRORS) return 502;
  return 500;
}

export function errorBody(code: string, message: string, hint?: string, requestId?: string): ErrorBody {
  const fallbackHint = (API_ERRORS as Record<string, { hint: string } | undefined>)[code]?.hint ?? ROOTD_ERRORS[code as `E_${string}`]?.hint;
  const h = hint ?? fallbackHint;
  return {
    error: {
      code,
      message,
      ...(h === undefined ? {} : { hint: h }),
      ...(requestId === undefined ? {} : { request_id: requestId }),
    },
  };
}

/** Turn anything thrown by a handler into the error response. */
export function errorResponse(c: Context<AppEnv>, err: unknown, log: Logger): Response {
  const requestId = c.get('requestId');
  if (isHop3Error(err)) {
    const status = statusFor(err.code);
    const retry = err.details?.['retry_after_s'];
    if (typeof retry === 'number') c.header('Retry-After', String(retry));
    if (status >= 500) log.warn('request failed', { request_id: requestId, code: err.code, message: err.message, path: c.req.path });
    return c.json(errorBody(err.code, err.message, err.hint, status === 500 ? requestId : undefined), status);
  }
  log.error('unexpected error', { request_id: requestId, method: c.req.method, path: c.req.path, err });
  return c.json(errorBody('E_INTERNAL', `unexpected server error (request id ${requestId})`, undefined, requestId), 500);
}
