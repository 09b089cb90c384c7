/**
 * Generated secrets (ADR 046 §1a). Pure apart from the injected source of
 * random bytes, which must be a CSPRNG in production (node:crypto randomBytes).
 *
 *   hex      length bytes of entropy, lowercase hex (2 chars per byte)
 *   base64   length bytes of entropy, standard base64 with padding
 *   urlsafe  length bytes of entropy, base64url without padding
 *   password length characters from PASSWORD_ALPHABET, rejection-sampled
 *   uuid     RFC 4122 version 4 (122 random bits); length is ignored
 * Default length: 32 bytes, or 24 characters for password.
 */
import { Hop3Error } from '../errors.ts';
import type { GenerateKind } from './env-model.ts';
import { ENV_ERRORS } from './resolve-env-errors.ts';

export type RandomBytes = (size: number) => Uint8Array;

export const GENERATE_KINDS: readonly GenerateKind[] = ['hex', 'base64', 'urlsafe', 'password', 'uuid'];
export const DEFAULT_BYTES = 32;
export const DEFAULT_PASSWORD_CHARS = 24;
export const MAX_GENERATE_LENGTH = 4096;

/** Letters and digits without the look-alikes 0 O o 1 l I (56 characters). */
export const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

export interface GenerateSpec {
  readonly generate: string;
  readonly length?: number;
  readonly prefix?: string;
}

function isKind(s: string): s is GenerateKind {
  return (GENERATE_KINDS as readonly string[]).includes(s);
}

function checkedLength(key: string, kind: GenerateKind, length: number | undefined): number {
  const fallback = kind === 'password' ? DEFAULT_PASSWORD_CHARS : DEFAULT_BYTES;
  if (length === undefined || kind === 'uuid') return fallback;
  if (!Number.isInteger(length) || length < 1 || length > MAX_GENERATE_LENGTH) {
    throw new Hop3Error('E_ENV_GENERATE_LENGTH', `[env].${key}: length ${String(length)} is not an integer in 1..${MAX_GENERATE_LENGTH}.`, {
      hint: ENV_ERRORS.E_ENV_GENERATE_LENGTH.hint,
      details: { key, length },
    });
  }
  return length;
}

function take(randomBytes: RandomBytes, size: number): Uint8Array {
  const bytes = randomBytes(size);
  if (bytes.length !== size) {
    throw new Hop3Error('E_INTERNAL', `random source returned ${bytes.length} bytes instead of ${size}.`);
  }
  return bytes;
}

function password(randomBytes: RandomBytes, chars: number): string {
  const n = PASSWORD_ALPHABET.length;
  // Accept only bytes below the largest multiple of n, so `b % n` is uniform.
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < chars) {
    const batch = take(randomBytes, Math.max(16, Math.ceil((chars - out.length) * 1.25)));
    for (const b of batch) {
      if (b >= limit) continue;
      out += PASSWORD_ALPHABET[b % n];
      if (out.length === chars) break;
    }
  }
  return out;
}

function uuidV4(randomBytes: RandomBytes): string {
  const b = Uint8Array.from(take(randomBytes, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Validates a generate spec without drawing randomness (for early, loud failure). */
export function checkGenerateSpec(key: string, spec: GenerateSpec): void {
  if (!isKind(spec.generate)) {
    throw new Hop3Error('E_ENV_GENERATE_UNKNOWN', `[env].${key}: unknown generator "${spec.generate}".`, {
      hint: ENV_ERRORS.E_ENV_GENERATE_UNKNOWN.hint,
      details: { key, generate: spec.generate, known: GENERATE_KINDS },
    });
  }
  checkedLength(key, spec.generate, spec.length);
}

/** Produces one secret value (prefix included) for the [env] key `key`. */
export function generateSecret(key: string, spec: GenerateSpec, randomBytes: RandomBytes): string {
  checkGenerateSpec(key, spec);
  const kind = spec.generate as GenerateKind;
  const length = checkedLength(key, kind, spec.length);
  const prefix = spec.prefix ?? '';
  switch (kind) {
    case 'hex':
      return prefix + Buffer.from(take(randomBytes, length)).toString('hex');
    case 'base64':
      return prefix + Buffer.from(take(randomBytes, length)).toString('base64');
    case 'urlsafe':
      return prefix + Buffer.from(take(randomBytes, length)).toString('base64url');
    case 'password':
      return prefix + password(randomBytes, length);
    case 'uuid':
      return prefix + uuidV4(randomBytes);
  }
}
