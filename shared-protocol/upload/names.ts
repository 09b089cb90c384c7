/**
 * Entry names: the only way a tar entry name becomes a relative path under
 * the release directory. Pure; every refusal is a typed Hop3Error.
 */
import { uploadError } from './errors.ts';
import type { UploadLimits } from './limits.ts';

export interface EntryName {
  /** canonical relative path: components joined by "/", no leading "./", no trailing "/" */
  readonly path: string;
  readonly parts: readonly string[];
}

type NameLimits = Pick<UploadLimits, 'maxDepth' | 'maxNameBytes' | 'maxComponentBytes'>;

// C0 controls, DEL and C1 controls: they have no place in a file name and
// would let an upload rewrite the terminal of whoever reads the deploy log.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/;

/** Printable form of a hostile name for messages (controls escaped, length capped). */
export function showName(raw: string): string {
  const shown = JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}…` : raw);
  return shown;
}

/**
 * Validate and canonicalize a raw entry name. Returns null for the archive
 * root ("." or "./"), which carries nothing to extract.
 */
export function parseEntryName(raw: string, limits: NameLimits): EntryName | null {
  if (raw.includes('\0')) throw uploadError('E_UPLOAD_BAD_NAME', `entry name ${showName(raw)} contains NUL`);
  if (raw.includes('\\')) throw uploadError('E_UPLOAD_BAD_NAME', `entry name ${showName(raw)} contains a backslash`);
  if (CONTROL.test(raw)) throw uploadError('E_UPLOAD_BAD_NAME', `entry name ${showName(raw)} contains a control character`);
  if (raw.includes('\uFFFD')) throw uploadError('E_UPLOAD_BAD_NAME', `entry name ${showName(raw)} is not valid UTF-8`);
  if (raw.startsWith('/')) throw uploadError('E_UPLOAD_ABSOLUTE_PATH', `entry name ${showName(raw)} is absolute`);
  let rel = raw.startsWith('./') ? raw.slice(2) : raw;
  if (rel.endsWith('/')) rel = rel.slice(0, -1);
  if (rel === '' || rel === '.') return null;
  const parts = rel.split('/');
  for (const part of parts) {
    if (part === '..') throw uploadError('E_UPLOAD_PATH_TRAVERSAL', `entry name ${showName(raw)} has a ".." component`);
  }
  for (const part of parts) {
    if (part === '' || part === '.') {
      throw uploadError('E_UPLOAD_BAD_NAME', `entry name ${showName(raw)} has an empty or "." component`);
    }
  }
  if (Buffer.byteLength(rel, 'utf8') > limits.maxNameBytes) {
    throw uploadError('E_UPLOAD_NAME_TOO_LONG', `entry name ${showName(raw)} is longer than ${limits.maxNameBytes} bytes`);
  }
  for (const part of parts) {
    if (Buffer.byteLength(part, 'utf8') > limits.maxComponentBytes) {
      throw uploadError('E_UPLOAD_NAME_TOO_LONG', `a component of ${showName(raw)} is longer than ${limits.maxComponentBytes} bytes`);
    }
  }
  if (parts.length > limits.maxDepth) {
    throw uploadError('E_UPLOAD_TOO_DEEP', `entry ${showName(raw)} is ${parts.length} levels deep (limit ${limits.maxDepth})`);
  }
  return { path: parts.join('/'), parts };
}

/** Names equal under this key collide on case-insensitive or normalizing file systems. */
export function foldKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}
