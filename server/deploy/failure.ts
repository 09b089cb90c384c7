/**
 * Why a deploy failed, as {code, message, hint}: a Hop3Error keeps its code
 * and hint (or its catalog's hint); anything else is E_INTERNAL, logged in
 * full on the server, never shown.
 */
import type { ErrorInfoView } from '../../shared-protocol/api/deploys.ts';
import { API_ERRORS } from '../../shared-protocol/api/errors.ts';
import { ENV_ERRORS } from '../../shared-protocol/config/resolve-env-errors.ts';
import { isHop3Error, type ErrorCatalog } from '../../shared-protocol/errors.ts';
import { ROOTD_ERRORS } from '../../shared-protocol/ops/index.ts';
import { UPLOAD_ERRORS } from '../../shared-protocol/upload/errors.ts';
import { BUILD_ERRORS } from '../builders/errors.ts';
import { RUNTIME_ERRORS } from '../runtime/errors.ts';
import { DEPLOY_ERRORS } from './errors.ts';

const CATALOGS: readonly ErrorCatalog[] = [DEPLOY_ERRORS, RUNTIME_ERRORS, BUILD_ERRORS, UPLOAD_ERRORS, ENV_ERRORS, API_ERRORS, ROOTD_ERRORS];

export function catalogHint(code: string): string | undefined {
  for (const c of CATALOGS) {
    const info = c[code as `E_${string}`];
    if (info !== undefined) return info.hint;
  }
  return undefined;
}

export function describeFailure(err: unknown): ErrorInfoView {
  if (isHop3Error(err)) {
    const hint = err.hint ?? catalogHint(err.code);
    return { code: err.code, message: err.message, ...(hint === undefined ? {} : { hint }) };
  }
  return { code: 'E_INTERNAL', message: 'the deploy failed unexpectedly; details are in the server log', hint: API_ERRORS.E_INTERNAL.hint };
}
