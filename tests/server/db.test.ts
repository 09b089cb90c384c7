import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { ensureDataDir, MIGRATIONS_DIR, openDatabase } from '../../server/db/open.ts';
import { apps, domains, envVars, releases, RELEASE_STATUSES } from '../../server/db/schema/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { tempDir } from './helpers.ts';

test('the database runs in WAL mode with synchronous=FULL and foreign keys on', () => {
  const t = tempDir();
  const o = openDatabase(join(t.dir, 'hop3.db'));
  try {
    assert.equal(o.sqlite.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(o.sqlite.pragma('synchronous', { simple: true }), 2);
    assert.equal(o.sqlite.pragma('foreign_keys', { simple: true }), 1);
  } finally {
    o.close();
    t.cleanup();
  }
});

test('the database file and its -wal and -shm files are mode 0600, even under a permissive umask', () => {
  const t = tempDir();
  const old = process.umask(0o000);
  try {
    const o = openDatabase(join(t.dir, 'hop3.db'));
    o.db.insert(apps).values({ name: 'x', createdAt: new Date(), updatedAt: new Date() }).run();
    const files = readdirSync(t.dir).sort();
    assert.deepEqual(files, ['hop3.db', 'hop3.db-shm', 'hop3.db-wal']);
    for (const f of files) assert.equal(statSync(join(t.dir, f)).mode & 0o777, 0o600, f);
    o.close();
  } finally {
    process.umask(old);
    t.cleanup();
  }
});

test('an existing database file with a wide mode is tightened to 0600 on open', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'hop3.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    openDatabase(path).close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    t.cleanup();
  }
});

test('committed migrations are applied at open, and opening again applies nothing twice', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'hop3.db');
    openDatabase(path).close();
    const o = openDatabase(path);
    const tables = o.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
    assert.deepEqual(tables, ['__drizzle_migrations', 'addon_attachments', 'addons', 'api_tokens', 'apps', 'domains', 'env_vars', 'redis_dbs', 'releases']);
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    assert.equal(o.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get(), journal.entries.length);
    o.close();
  } finally {
    t.cleanup();
  }
});

test('deleting an app deletes its releases, env vars and domains (foreign keys cascade)', () => {
  const t = tempDir();
  const o = openDatabase(join(t.dir, 'hop3.db'));
  try {
    const now = new Date();
    const app = o.db.insert(apps).values({ name: 'web', createdAt: now, updatedAt: now }).returning().get();
    const rel = o.db.insert(releases).values({ appId: app.id, number: 1, status: 'live', createdAt: now }).returning().get();
    o.db.update(apps).set({ currentReleaseId: rel.id }).where(eq(apps.id, app.id)).run();
    o.db.insert(envVars).values({ appId: app.id, name: 'A', valueSealed: Buffer.from([1]), secret: false, updatedAt: now }).run();
    o.db.insert(domains).values({ appId: app.id, hostname: 'web.example.com', createdAt: now }).run();
    o.db.delete(apps).where(eq(apps.id, app.id)).run();
    for (const table of ['releases', 'env_vars', 'domains']) {
      assert.equal(o.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), 0, table);
    }
  } finally {
    o.close();
    t.cleanup();
  }
});

test('the releases table accepts every declared status and refuses others, a second live release, and a duplicate number', () => {
  const t = tempDir();
  const o = openDatabase(join(t.dir, 'hop3.db'));
  try {
    const now = new Date();
    const app = o.db.insert(apps).values({ name: 'web', createdAt: now, updatedAt: now }).returning().get();
    RELEASE_STATUSES.forEach((status, i) => o.db.insert(releases).values({ appId: app.id, number: i + 1, status, createdAt: now }).run());
    const insert = (number: number, status: string) =>
      o.sqlite.prepare('INSERT INTO releases (app_id, number, status, created_at) VALUES (?, ?, ?, ?)').run(app.id, number, status, now.getTime());
    assert.throws(() => insert(100, 'bogus'), /CHECK constraint failed/);
    assert.throws(() => insert(101, 'live'), /UNIQUE constraint failed/);
    assert.throws(() => insert(1, 'failed'), /UNIQUE constraint failed/);
    assert.throws(() => insert(0, 'failed'), /CHECK constraint failed/);
  } finally {
    o.close();
    t.cleanup();
  }
});

test('a data dir is created 0700, and one that group or other can write is refused', () => {
  const t = tempDir();
  try {
    const dir = join(t.dir, 'data');
    ensureDataDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const open = join(t.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.throws(() => ensureDataDir(open), (e: unknown) => isHop3Error(e) && e.code === 'E_DATA_DIR' && /mode 777/.test(e.message));
  } finally {
    t.cleanup();
  }
});

test('the committed migrations match the drizzle schema (drizzle-kit finds nothing to generate)', () => {
  const t = tempDir();
  try {
    cpSync(MIGRATIONS_DIR, t.dir, { recursive: true });
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = execFileSync(
      process.execPath,
      [join(root, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--dialect', 'sqlite', '--schema', './server/db/schema/index.ts', '--out', relative(root, t.dir)],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.match(out, /No schema changes/, 'run `npm run db:generate` and commit the new migration');
    assert.deepEqual(readdirSync(t.dir).sort(), readdirSync(MIGRATIONS_DIR).sort());
  } finally {
    t.cleanup();
  }
});
