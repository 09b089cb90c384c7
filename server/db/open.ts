/**
 * Opens the server database: data dir 0700, hop3.db (+ -wal, -shm) 0600, WAL,
 * synchronous=FULL, foreign keys on, busy timeout (the admin CLI and the
 * server share the file), then applies the committed migrations.
 */
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import * as schema from './schema/index.ts';

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenedDb {
  readonly db: Db;
  readonly sqlite: Database.Database;
  close(): void;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/** Create the data dir 0700 if missing; refuse one that group/other can write. */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new Hop3Error('E_DATA_DIR', `cannot create data dir ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Hop3Error('E_DATA_DIR', `data dir ${dir} is not a directory`);
  if ((st.mode & 0o022) !== 0) {
    throw new Hop3Error('E_DATA_DIR', `data dir ${dir} has mode ${(st.mode & 0o777).toString(8)}; group/other must not be able to write it`, {
      hint: `chmod 700 ${dir}`,
    });
  }
}

function tighten(path: string): void {
  if (existsSync(path) && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
}

export function openDatabase(path: string): OpenedDb {
  // Create the file ourselves so it is born 0600; SQLite gives -wal/-shm the db file's mode.
  closeSync(openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  tighten(path);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new Hop3Error('E_DB', `cannot open database ${path}: ${(e as Error).message}`, { cause: e });
  }
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  } catch (e) {
    sqlite.close();
    throw new Hop3Error('E_DB', `cannot migrate database ${path}: ${(e as Error).message}`, { cause: e });
  }
  for (const suffix of ['-wal', '-shm']) tighten(path + suffix);
  return { db, sqlite, close: () => sqlite.close() };
}
