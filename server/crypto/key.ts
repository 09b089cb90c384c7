/**
 * The 32-byte server key that encrypts secrets at rest. Created once
 * (O_EXCL, mode 0600, fsync'd); afterwards it is only read, and refused if it
 * is not exactly 32 bytes, not a regular file, or readable by group/other.
 * Losing it loses every stored secret: back it up with the database.
 */
import { closeSync, constants, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export const KEY_BYTES = 32;

export interface ServerKey {
  readonly bytes: Buffer;
  /** True when this call wrote the file. */
  readonly created: boolean;
}

function checkExisting(path: string): Buffer {
  const st = lstatSync(path);
  if (!st.isFile()) throw new Hop3Error('E_KEY_INVALID', `server key ${path} is not a regular file`);
  if ((st.mode & 0o077) !== 0) {
    throw new Hop3Error('E_KEY_INVALID', `server key ${path} has mode ${(st.mode & 0o777).toString(8)}; it must not be readable by group or other`, {
      hint: `chmod 600 ${path}`,
    });
  }
  const bytes = readFileSync(path);
  if (bytes.length !== KEY_BYTES) throw new Hop3Error('E_KEY_INVALID', `server key ${path} is ${bytes.length} bytes, expected ${KEY_BYTES}`);
  return bytes;
}

export function loadOrCreateServerKey(path: string): ServerKey {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { bytes: checkExisting(path), created: false };
    throw new Hop3Error('E_KEY_INVALID', `cannot create server key ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  const bytes = randomBytes(KEY_BYTES);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return { bytes, created: true };
}
