/**
 * RedisDbAllocator over the redis_dbs table: claim inserts the lowest free
 * number; the unique constraints (number, addon) decide races, a loser
 * retries with the next free number. No file scan, no lock.
 */
import { asc, eq } from 'drizzle-orm';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Db } from '../db/open.ts';
import { redisDbs } from '../db/schema/index.ts';
import type { RedisDbAllocator } from './backend.ts';

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}

export function createRedisDbAllocator(db: Db): RedisDbAllocator {
  return {
    claim(addon, limit) {
      for (let attempt = 0; attempt < limit + 8; attempt++) {
        const held = db.select().from(redisDbs).orderBy(asc(redisDbs.number)).all();
        const mine = held.find((r) => r.addon === addon);
        if (mine !== undefined) return mine.number;
        const used = new Set(held.map((r) => r.number));
        let n = 0;
        while (used.has(n)) n++;
        if (n >= limit) {
          const holders = held.filter((r) => r.number < limit).map((r) => `${r.number}:${r.addon}`);
          throw new Hop3Error('E_ADDON_EXHAUSTED', `every Redis logical DB (0-${limit - 1}) is held: ${holders.join(', ')}`, {
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
    release(addon) {
      db.delete(redisDbs).where(eq(redisDbs.addon, addon)).run();
    },
  };
}
