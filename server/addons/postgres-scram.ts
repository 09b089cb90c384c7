/**
 * Client-side SCRAM-SHA-256 verifiers for PostgreSQL (RFC 5802 / 7677).
 *
 * `CREATE ROLE ... PASSWORD 'SCRAM-SHA-256$...'` stores a pre-computed
 * verifier as is, so the plaintext password never travels to the server and
 * never appears in its statement log (log_statement=all logs the verifier,
 * which is not enough to log in).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default scram_iterations. */
export const SCRAM_ITERATIONS = 4096;

/** A fresh addon password: 32 random bytes, base64url (43 ASCII chars; no SASLprep needed). */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * `SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>` (base64 parts), the
 * format pg_authid.rolpassword holds. The password must be ASCII printable
 * (SASLprep is then the identity); generatePassword() guarantees it.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations: number = SCRAM_ITERATIONS): string {
  if (!/^[\x21-\x7e]+$/.test(password)) throw new Error('scram verifier: the password must be printable ASCII');
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
