/**
 * Failed-auth limiter: one token bucket per client address. Each failed
 * authentication takes a token; an empty bucket means 429 with Retry-After
 * until a token has refilled. Success costs nothing. In memory: a restart
 * forgets (documented in docs/server.md). The map is bounded: full buckets
 * are dropped first, then the oldest.
 */

export interface RateLimitOptions {
  /** Bucket size: failures allowed in a burst. */
  readonly burst: number;
  /** Refill rate, failures per minute. */
  readonly perMinute: number;
  readonly clock: () => number;
  /** Most addresses tracked at once. */
  readonly maxEntries?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface FailureLimiter {
  /** Seconds to wait before this address may try again, or 0 when it may try now. */
  retryAfter(key: string): number;
  /** Record one failed authentication. */
  fail(key: string): void;
  readonly size: number;
}

export function createFailureLimiter(opts: RateLimitOptions): FailureLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = opts.perMinute / 60_000;
  const max = opts.maxEntries ?? 10_000;

  const current = (key: string): Bucket | undefined => {
    const b = buckets.get(key);
    if (b === undefined) return undefined;
    const now = opts.clock();
    b.tokens = Math.min(opts.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    if (b.tokens >= opts.burst) {
      buckets.delete(key);
      return undefined;
    }
    return b;
  };

  const evict = (): void => {
    for (const key of [...buckets.keys()]) {
      if (buckets.size < max) return;
      current(key);
    }
    while (buckets.size >= max) {
      const oldest = buckets.keys().next();
      if (oldest.done === true) return;
      buckets.delete(oldest.value);
    }
  };

  return {
    retryAfter(key) {
      const b = current(key);
      if (b === undefined || b.tokens >= 1) return 0;
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    },
    fail(key) {
      let b = current(key);
      if (b === undefined) {
        if (buckets.size >= max) evict();
        b = { tokens: opts.burst, at: opts.clock() };
        buckets.set(key, b);
      }
      b.tokens = Math.max(0, b.tokens - 1);
    },
    get size() {
      return buckets.size;
    },
  };
}
