/** Shared builders for the env resolver tests. */
import assert from 'node:assert/strict';
import type { EnvConfig, EnvValue } from '../../shared-protocol/config/env-model.ts';
import type { AddonFact, AppFacts } from '../../shared-protocol/config/resolve-env.ts';
import { isHop3Error, type Hop3Error } from '../../shared-protocol/errors.ts';

export function cfg(
  vars: Record<string, EnvValue> = {},
  computed: Record<string, string> = {},
  policy: 'keep' | 'override' = 'keep',
): EnvConfig {
  return { policy, vars, computed };
}

export const s = (value: string): EnvValue => ({ kind: 'static', value });

export const PG: AddonFact = {
  name: 'myapp-db',
  type: 'postgres',
  vars: {
    DATABASE_URL: 'postgres://myapp:pw@localhost:5432/myapp',
    PGDATABASE: 'myapp',
    PGUSER: 'myapp',
    PGPASSWORD: 'pw',
    PGHOST: 'localhost',
    PGPORT: '5432',
  },
};

export const REDIS: AddonFact = {
  name: 'cache',
  type: 'redis',
  vars: { REDIS_URL: 'redis://127.0.0.1:6379/2', REDIS_HOST: '127.0.0.1', REDIS_PORT: '6379', REDIS_DB: '2' },
};

export const APP: AppFacts = { name: 'myapp', hostnames: ['myapp.example.com', 'www.myapp.example.com'] };

/** A deterministic byte source: a counter stream, recording every request size. */
export function countingBytes(): { fn: (n: number) => Uint8Array; requests: number[] } {
  let next = 0;
  const requests: number[] = [];
  return {
    requests,
    fn: (n: number) => {
      requests.push(n);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next++ & 0xff;
      return out;
    },
  };
}

export function assertCode(fn: () => unknown, code: string): Hop3Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(isHop3Error(caught), `expected Hop3Error ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.hint && caught.hint.length > 0, 'error carries a hint');
  return caught;
}
