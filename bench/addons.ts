/**
 * bench:addons — create + attach of each addon type through the lifecycle
 * service (name reservation, backend provision, sealing the secrets, the
 * attachment row) with the REAL backend factories (server/addons/backends.ts)
 * against private servers started for the run: PostgreSQL 15
 * (tests/addons/pg-instance.ts, fsync off), MariaDB (mariadb-instance.ts),
 * Redis 7 (redis-instance.ts) and s3rver in-process (generic s3 backend;
 * MinIO is not installed here). Medians over RUNS after WARMUP; each run's
 * addon is destroyed before the next. Then bench/addons-postgres.ts's
 * backend-only postgres figures (own instance): provision+env alone, with 2
 * extensions, and deprovision.
 * --json: the last line is {"bench":"addons","figures":{"provision_postgres_s":…,"provision_mysql_s":…,"provision_redis_s":…,"provision_s3_s":…}}.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddonType } from '../server/addons/backend.ts';
import { loadBackendFactories } from '../server/addons/backends.ts';
import type { AddonsConfig } from '../server/addons/config.ts';
import { createRedisDbAllocator } from '../server/addons/redis-dbs.ts';
import { configHosts, createBackendRegistry } from '../server/addons/registry.ts';
import { createAddonService } from '../server/addons/service.ts';
import { createSecretBox } from '../server/crypto/secrets.ts';
import { openDatabase } from '../server/db/open.ts';
import { memoryLogger } from '../server/log.ts';
import { createAppsService } from '../server/services/apps.ts';
import { NO_HOOKS } from '../server/services/hooks.ts';
import { mariadbAvailable, startMariaDb } from '../tests/addons/mariadb-instance.ts';
import { pgUnavailable, startPostgres } from '../tests/addons/pg-instance.ts';
import { redisAvailable, startRedis } from '../tests/addons/redis-instance.ts';
import { benchPostgres } from './addons-postgres.ts';
import { startS3rver } from '../tests/addons/s3rver-instance.ts';

const RUNS = 15;
const WARMUP = 2;
type Figures = Record<string, { value: number; unit: string }>;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function benchAddons(): Promise<{ figures: Figures; notes: string[] }> {
  const why = pgUnavailable() || (mariadbAvailable() ? false : 'mariadbd not installed') || (redisAvailable() ? false : 'redis-server not installed');
  if (why) throw new Error(`bench:addons: ${why}`);
  const dir = mkdtempSync(join(tmpdir(), 'hop3-bench-addons-'));
  const stops: Array<() => Promise<void>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const figures: Figures = {};
  const notes: string[] = [];
  try {
    const pg = await startPostgres();
    stops.unshift(() => pg.stop());
    const maria = await startMariaDb();
    stops.unshift(() => maria.stop());
    const redis = await startRedis({ databases: 64 });
    stops.unshift(() => redis.stop());
    const s3 = await startS3rver();
    stops.unshift(() => s3.close());
    const config: AddonsConfig = {
      extra_pg_extensions: [],
      postgres: { host: pg.socketDir, port: pg.port, user: pg.adminUser, database: 'postgres' },
      mysql: { host: '127.0.0.1', port: maria.port, user: maria.adminUser, password: maria.adminPassword },
      redis: { host: '127.0.0.1', port: redis.port, password: redis.adminPassword, databases: 64 },
      s3: { kind: 'generic', endpoint: `http://127.0.0.1:${s3.port}`, region: 'us-east-1', access_key: s3.adminKey, secret_key: s3.adminKey, app_access_key: s3.appKey, app_secret_key: s3.appSecret },
    };
    const opened = openDatabase(join(dir, 'hop3.db'));
    stops.unshift(async () => opened.close());
    const deps = { config, hosts: configHosts(config), redisDbs: createRedisDbAllocator(opened.db) };
    const backends = createBackendRegistry(await loadBackendFactories(config), deps);
    stops.unshift(() => backends.close());
    const clock = (): Date => new Date();
    const svc = createAddonService({ db: opened.db, secrets: createSecretBox(randomBytes(32)), backends, clock, log: memoryLogger('warn'), extraPgExtensions: [] });
    createAppsService({ db: opened.db, clock, serverDomain: 'hop3.test', hooks: NO_HOOKS }).create('bench-app');
    const types: AddonType[] = ['postgres', 'mysql', 'redis', 's3'];
    for (const type of types) {
      const times: number[] = [];
      const destroys: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const name = `bench-${type}-${i}`;
        const t0 = performance.now();
        await svc.create(type, name);
        svc.attach(name, 'bench-app');
        const t1 = performance.now();
        await svc.destroy(name, { confirm: name, force: true });
        const t2 = performance.now();
        if (i < WARMUP) continue;
        times.push((t1 - t0) / 1000);
        destroys.push((t2 - t1) / 1000);
      }
      const r = (n: number): number => Math.round(n * 1000) / 1000;
      figures[`provision_${type}_s`] = { value: r(median(times)), unit: 's' };
      notes.push(`${type}: create+attach median ${r(median(times))} s (destroy ${r(median(destroys))} s)`);
    }
  } finally {
    for (const stop of stops) await stop().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  }
  const pgOnly = await benchPostgres();
  for (const [k, v] of Object.entries(pgOnly)) figures[k === 'provision_postgres_s' ? 'provision_postgres_backend_s' : k] = v;
  notes.push(`postgres backend alone: provision+env ${pgOnly['provision_postgres_s']?.value} s, with 2 extensions ${pgOnly['provision_postgres_2ext_s']?.value} s, deprovision ${pgOnly['deprovision_postgres_s']?.value} s`);
  return { figures, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { figures, notes } = await benchAddons();
  console.log(`addons through the lifecycle service (${RUNS} runs each, private PG 15 / MariaDB / Redis 7 / s3rver):`);
  for (const n of notes) console.log(`  ${n}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ bench: 'addons', figures }));
}
