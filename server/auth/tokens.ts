/**
 * API tokens: `hop3_` + 43 base64url chars (256 random bits). Only the SHA-256
 * is stored; the token is shown once, by `hop3-server admin create-token`.
 * Verification hashes the presented token and compares it with every active
 * hash in constant time (no early exit, no lookup keyed by the secret).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Db } from '../db/open.ts';
import { apiTokens } from '../db/schema/index.ts';

export const TOKEN_PREFIX = 'hop3_';
export const TOKEN_RE = /^hop3_[A-Za-z0-9_-]{43}$/;
export const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const DISPLAY_CHARS = TOKEN_PREFIX.length + 4;
/** last_used_at is refreshed at most this often (avoids a write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface TokenInfo {
  readonly id: number;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export interface TokenStore {
  create(name: string): { token: string; info: TokenInfo };
  list(): TokenInfo[];
  revoke(name: string): TokenInfo;
  /** The active token matching `presented`, or null. */
  verify(presented: string): TokenInfo | null;
}

export function createTokenStore(deps: { db: Db; clock: () => Date }): TokenStore {
  const { db, clock } = deps;
  const toInfo = (r: typeof apiTokens.$inferSelect): TokenInfo => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
  });
  const active = () => db.select().from(apiTokens).where(isNull(apiTokens.revokedAt)).orderBy(asc(apiTokens.id)).all();

  return {
    create(name) {
      if (!TOKEN_NAME_RE.test(name)) {
        throw new Hop3Error('E_USAGE', `token name ${JSON.stringify(name)} is not valid`, {
          hint: 'Use 1-64 chars: letters, digits, ".", "_", "@", "-", starting with a letter or digit.',
        });
      }
      if (active().some((r) => r.name === name)) throw new Hop3Error('E_TOKEN_EXISTS', `an active token is already named ${name}`);
      const token = generateToken();
      const row = db
        .insert(apiTokens)
        .values({ name, tokenHash: hashToken(token).toString('hex'), prefix: token.slice(0, DISPLAY_CHARS), createdAt: clock() })
        .returning()
        .get();
      return { token, info: toInfo(row) };
    },
    list() {
      return active().map(toInfo);
    },
    revoke(name) {
      const row = db
        .update(apiTokens)
        .set({ revokedAt: clock() })
        .where(and(eq(apiTokens.name, name), isNull(apiTokens.revokedAt)))
        .returning()
        .get();
      if (row === undefined) throw new Hop3Error('E_TOKEN_NOT_FOUND', `no active token is named ${JSON.stringify(name)}`);
      return toInfo(row);
    },
    verify(presented) {
      if (!TOKEN_RE.test(presented)) return null;
      const hash = hashToken(presented);
      let match: typeof apiTokens.$inferSelect | undefined;
      for (const row of active()) {
        const stored = Buffer.from(row.tokenHash, 'hex');
        if (stored.length === hash.length && timingSafeEqual(stored, hash) && match === undefined) match = row;
      }
      if (match === undefined) return null;
      const now = clock();
      if (match.lastUsedAt === null || now.getTime() - match.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
        db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, match.id)).run();
      }
      return toInfo(match);
    },
  };
}
