/**
 * `hop3-server admin ...`: token management against the server's database
 * (the running server sees changes at once: tokens are read per request).
 * Run as the server user; as root on a data dir owned by someone else it
 * refuses, so it never leaves root-owned -wal/-shm files behind.
 */
import { statSync } from 'node:fs';
import { Hop3Error } from '../shared-protocol/errors.ts';
import { createTokenStore, type TokenInfo } from './auth/tokens.ts';
import type { ServerConfig } from './config.ts';
import { ensureDataDir, openDatabase } from './db/open.ts';

export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
}

function checkUser(dataDir: string): void {
  const uid = process.getuid?.();
  if (uid !== 0) return;
  let owner: number;
  try {
    owner = statSync(dataDir).uid;
  } catch {
    return;
  }
  if (owner !== 0) {
    throw new Hop3Error('E_DATA_DIR', `refusing to open ${dataDir} as root: it belongs to uid ${owner}`, {
      hint: 'Run the command as the server user, e.g. `sudo -u hop3 hop3-server admin ...`.',
    });
  }
}

function withTokens<T>(config: ServerConfig, fn: (store: ReturnType<typeof createTokenStore>) => T): T {
  checkUser(config.data_dir);
  ensureDataDir(config.data_dir);
  const opened = openDatabase(config.dbPath);
  try {
    return fn(createTokenStore({ db: opened.db, clock: () => new Date() }));
  } finally {
    opened.close();
  }
}

const row = (t: TokenInfo) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  created_at: t.createdAt.toISOString(),
  last_used_at: t.lastUsedAt?.toISOString() ?? null,
});

export function createToken(config: ServerConfig, name: string, io: AdminIo): void {
  const { token, info } = withTokens(config, (s) => s.create(name));
  io.err(`Created token "${info.name}" (id ${info.id}). It is shown only this once; store it now.\n`);
  io.out(`${token}\n`);
}

export function listTokens(config: ServerConfig, json: boolean, io: AdminIo): void {
  const tokens = withTokens(config, (s) => s.list()).map(row);
  if (json) {
    io.out(`${JSON.stringify(tokens)}\n`);
    return;
  }
  if (tokens.length === 0) {
    io.err('No active tokens. Create one with `hop3-server admin create-token <name>`.\n');
    return;
  }
  const lines = [['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED'], ...tokens.map((t) => [String(t.id), t.name, `${t.prefix}…`, t.created_at, t.last_used_at ?? '-'])];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  io.out(lines.map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n') + '\n');
}

export function revokeToken(config: ServerConfig, name: string, io: AdminIo): void {
  const info = withTokens(config, (s) => s.revoke(name));
  io.err(`Revoked token "${info.name}" (id ${info.id}).\n`);
}
