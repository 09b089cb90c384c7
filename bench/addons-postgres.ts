/**
 * The postgres backend alone (folded into bench/addons.ts, `npm run bench:addons`) — provision + env (what create + attach ask of
 * the backend) and deprovision against a private PostgreSQL 15 started for
 * the run (tests/addons/pg-instance.ts: fsync off, so the figure is the
 * backend's own cost — role, database from template0, grants, a second admin
 * connection — not the disk's). Reports medians over RUNS after a warm-up.
 * --json: the last line is {"bench":"addons-postgres","figures":{"provision_postgres_s":{...}, ...}}.
 */
import { createPostgresBackend } from '../server/addons/postgres.ts';
import { pgUnavailable, startPostgres } from '../tests/addons/pg-instance.ts';

const RUNS = 20;
const WARMUP = 2;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export async function benchPostgres(): Promise<Record<string, { value: number; unit: string }>> {
  const why = pgUnavailable();
  if (why) throw new Error(`bench:addons postgres: ${why}`);
  const inst = await startPostgres();
  const backend = createPostgresBackend({ host: inst.socketDir, port: inst.port, adminUser: inst.adminUser, adminDatabase: 'postgres' }, { appHost: () => '127.0.0.1' });
  const provision: number[] = [];
  const withExt: number[] = [];
  const deprovision: number[] = [];
  try {
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const name = `bench-${i}`;
      const t0 = performance.now();
      const p = await backend.provision(name, {});
      backend.env(name, p);
      const t1 = performance.now();
      await backend.deprovision(name, p);
      const t2 = performance.now();
      const q = await backend.provision(`${name}-ext`, { extensions: ['pgcrypto', 'uuid-ossp'] });
      const t3 = performance.now();
      await backend.deprovision(`${name}-ext`, q);
      if (i < WARMUP) continue;
      provision.push((t1 - t0) / 1000);
      deprovision.push((t2 - t1) / 1000);
      withExt.push((t3 - t2) / 1000);
    }
  } finally {
    await backend.close();
    await inst.stop();
  }
  const r = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    provision_postgres_s: { value: r(median(provision)), unit: 's' },
    provision_postgres_2ext_s: { value: r(median(withExt)), unit: 's' },
    deprovision_postgres_s: { value: r(median(deprovision)), unit: 's' },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchPostgres();
  console.log(
    `postgres addon (private PG 15, ${RUNS} runs): provision+env median ${figures['provision_postgres_s']?.value} s, ` +
      `with 2 extensions ${figures['provision_postgres_2ext_s']?.value} s, deprovision ${figures['deprovision_postgres_s']?.value} s`,
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify({ bench: 'addons-postgres', figures }));
}
