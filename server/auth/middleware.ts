/**
 * Bearer authentication for every route declared with auth: true. An address
 * whose failure bucket is empty gets 429 before its token is even looked at;
 * a wrong or malformed token costs it one failure. A missing header is
 * answered 401 without counting (it is not a guess).
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AppEnv } from '../http/context.ts';
import type { Logger } from '../log.ts';
import { clientAddress } from './client-address.ts';
import type { FailureLimiter } from './rate-limit.ts';
import type { TokenInfo, TokenStore } from './tokens.ts';

export interface AuthDeps {
  readonly tokens: Pick<TokenStore, 'verify'>;
  readonly limiter: FailureLimiter;
  readonly trustedProxies: readonly string[];
  readonly log: Logger;
}

function peerAddress(c: Context<AppEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

export function authenticate(c: Context<AppEnv>, deps: AuthDeps): TokenInfo {
  const client = clientAddress(peerAddress(c), c.req.header('x-forwarded-for'), deps.trustedProxies);
  const wait = deps.limiter.retryAfter(client);
  if (wait > 0) {
    throw new Hop3Error('E_RATE_LIMITED', `too many failed authentications from ${client}; retry in ${wait} s`, {
      details: { retry_after_s: wait },
    });
  }
  const header = c.req.header('authorization');
  if (header === undefined || header.trim() === '') throw new Hop3Error('E_AUTH_REQUIRED', 'this route needs a bearer token');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const token = m === null ? null : deps.tokens.verify(m[1] as string);
  if (token === null) {
    deps.limiter.fail(client);
    deps.log.warn('authentication failed', { client, request_id: c.get('requestId'), reason: m === null ? 'malformed header' : 'unknown token' });
    throw new Hop3Error('E_AUTH_INVALID', m === null ? 'the Authorization header is not "Bearer <token>"' : 'the token is unknown or revoked');
  }
  return token;
}
