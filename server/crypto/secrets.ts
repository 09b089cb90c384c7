/**
 * Secrets at rest: AES-256-GCM under the server key, a fresh 96-bit nonce per
 * value, and associated data that binds the ciphertext to where it belongs
 * (e.g. ['env', app, name]). A ciphertext edited, or moved to another app or
 * var, fails to decrypt with E_SECRET_UNREADABLE; nothing is ever returned
 * unauthenticated.
 *
 * Layout: version(1) = 0x01 | nonce(12) | tag(16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { KEY_BYTES } from './key.ts';

const VERSION = 0x01;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + NONCE_BYTES + TAG_BYTES;

/** Where a secret lives; every part goes into the associated data. */
export type SecretContext = readonly string[];

function aad(context: SecretContext): Buffer {
  // Length-prefixed parts: ['a','bc'] and ['ab','c'] never collide.
  const parts = ['hop3-secret-v1', ...context].map((p) => {
    const b = Buffer.from(p, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  });
  return Buffer.concat(parts);
}

export interface SecretBox {
  seal(plaintext: string, context: SecretContext): Buffer;
  open(sealed: Uint8Array, context: SecretContext): string;
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
  const k = Buffer.from(key);
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), ct]);
    },
    open(sealed, context) {
      const buf = Buffer.from(sealed);
      const where = context.slice(0, 3).join('/');
      if (buf.length < HEADER || buf[0] !== VERSION) {
        throw new Hop3Error('E_SECRET_UNREADABLE', `stored secret ${where} has an unknown format`);
      }
      const decipher = createDecipheriv('aes-256-gcm', k, buf.subarray(1, 1 + NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(buf.subarray(1 + NONCE_BYTES, HEADER));
      try {
        return Buffer.concat([decipher.update(buf.subarray(HEADER)), decipher.final()]).toString('utf8');
      } catch (e) {
        throw new Hop3Error('E_SECRET_UNREADABLE', `stored secret ${where} failed authentication (tampered, moved, or the server key changed)`, { cause: e });
      }
    },
  };
}
