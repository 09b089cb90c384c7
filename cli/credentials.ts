/**
 * Stored credentials: $XDG_CONFIG_HOME/hop3/credentials.json (default
 * ~/.config/hop3/credentials.json), file 0600 in a 0700 directory, written
 * tmp → fsync → rename. HOP3_API_URL and HOP3_API_TOKEN override the file;
 * the stored token is only sent to the server it was stored for.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CliError } from './errors.ts';
import { EXIT } from './exit-codes.ts';

export const StoredCredentials = Type.Object(
  { version: Type.Literal(1), server: Type.String({ minLength: 1 }), token: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type StoredCredentials = Static<typeof StoredCredentials>;

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : join(env['HOME'] ?? homedir(), '.config');
  return join(base, 'hop3', 'credentials.json');
}

/** The stored credentials, or null when there are none. A malformed file is an error, never silently ignored. */
export function readCredentials(path: string): StoredCredentials | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError('E_CREDENTIALS', `cannot read ${path}: ${(e as Error).message}`, { hint: 'Check its permissions, or log in again.' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Value.Check(StoredCredentials, parsed)) {
    throw new CliError('E_CREDENTIALS', `${path} is not a valid hop3 credentials file`, {
      hint: 'Run `hop3 logout` then `hop3 login --server URL --token T`.',
    });
  }
  return parsed;
}

/** Write the credentials file 0600 (directory 0700), atomically. */
export function writeCredentials(path: string, creds: Omit<StoredCredentials, 'version'>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, server: creds.server, token: creds.token }, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Remove the stored credentials; false when there were none. */
export function removeCredentials(path: string): boolean {
  try {
    statSync(path);
  } catch {
    return false;
  }
  rmSync(path, { force: true });
  return true;
}

/** http(s) URL without a trailing slash, query or fragment. */
export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('E_USAGE', `server URL ${JSON.stringify(raw)} is not a URL`, { exit: EXIT.USAGE, hint: 'Give e.g. https://hop3.example.com or http://127.0.0.1:8000.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('E_USAGE', `server URL must be http:// or https://, got ${url.protocol}`, { exit: EXIT.USAGE });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new CliError('E_USAGE', 'server URL must not carry credentials, a query or a fragment', { exit: EXIT.USAGE });
  }
  return url.toString().replace(/\/+$/, '');
}

export interface Connection {
  readonly server: string;
  readonly token: string;
  /** Where each value came from, for `hop3 login` messages and errors. */
  readonly source: { readonly server: 'env' | 'file'; readonly token: 'env' | 'file' };
}

/** The server and token to use: environment first, then the file (its token only for its own server). */
export function resolveConnection(env: NodeJS.ProcessEnv = process.env): Connection {
  const path = credentialsPath(env);
  const stored = readCredentials(path);
  const envUrl = env['HOP3_API_URL'];
  const envToken = env['HOP3_API_TOKEN'];
  const server = envUrl !== undefined && envUrl !== '' ? normalizeServerUrl(envUrl) : stored?.server;
  if (server === undefined) {
    throw new CliError('E_NOT_LOGGED_IN', 'no server configured', {
      exit: EXIT.AUTH,
      hint: 'Run `hop3 login --server URL --token hop3_...`, or set HOP3_API_URL and HOP3_API_TOKEN.',
    });
  }
  const fileToken = stored !== null && stored.server === server ? stored.token : undefined;
  const token = envToken !== undefined && envToken !== '' ? envToken : fileToken;
  if (token === undefined) {
    throw new CliError('E_NOT_LOGGED_IN', `no token for ${server}`, {
      exit: EXIT.AUTH,
      hint: `Run \`hop3 login --server ${server} --token hop3_...\`, or set HOP3_API_TOKEN.`,
    });
  }
  return {
    server,
    token,
    source: { server: envUrl !== undefined && envUrl !== '' ? 'env' : 'file', token: envToken !== undefined && envToken !== '' ? 'env' : 'file' },
  };
}
