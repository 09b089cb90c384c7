/**
 * RedisDbAllocator over the redis_dbs table: claim inserts the lowest free
 * number from 1 up (DB 0 is never allocated: any ACL user reaches DB 0
 * without SELECT, see redis.ts); the unique constraints (number, addon)
 * decide races, a loser retries with the next free number. No file scan, no lock.
 */
import { asc, eq } from 'drizzle-orm';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Db } from '../db/open.ts';
import { redisDbs } from '../db/schema/index.ts';
import type { RedisDbAllocator } from './backend.ts';

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}

/** The first DB number handed out. */
export const FIRST_REDIS_DB = 1;

export function createRedisDbAllocator(db: Db): RedisDbAllocator {
  return {
    claim(addon, limit) {
      for (let attempt = 0; attempt < limit + 8; attempt++) {
        const held = db.select().from(redisDbs).orderBy(asc(redisDbs.number)).all();
        const mine = held.find((r) => r.addon === addon);
        if (mine !== undefined) return mine.number;
        const used = new Set(held.map((r) => r.number));
        let n = FIRST_REDIS_DB;
        while (used.has(n)) n++;
        if (n >= limit) {
          const holders = held.filter((r) => r.number < limit).map((r) => `${r.number}:${r.addon}`);
          const range = limit > FIRST_REDIS_DB ? `${FIRST_REDIS_DB}-${limit - 1}` : 'none: DB 0 is never handed out';
          throw new Hop3Error('E_ADDON_EXHAUSTED', `every Redis logical DB hop3 may use (${range}) is held: ${holders.join(', ') || 'no holders'}`, {
            hint: 'Destroy an unused redis addon, or raise `databases` in redis.conf and addons.redis.databases.',
            details: { holders },
          });
        }
        try {
          db.insert(redisDbs).values({ number: n, addon }).run();
          return n;
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
        }
      }
      throw new Hop3Error('E_ADDON_EXHAUSTED', 'could not claim a Redis logical DB (too much contention)', { hint: 'Retry.' });
    },
    heldBy(addon) {
      return db.select().from(redisDbs).where(eq(redisDbs.addon, addon)).get()?.number;
    },
    release(addon) {
      db.delete(redisDbs).where(eq(redisDbs.addon, addon)).run();
    },
  };
}
